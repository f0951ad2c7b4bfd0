"""Small helpers shared by every app's views and APIs."""

from typing import TypeVar

from django.http import Http404

T = TypeVar("T")


def object_or_404(found: T | None) -> T:
    """What a selector found, or a 404: selectors return None for missing rows and for other
    users' rows alike, so an outsider cannot tell the two apart."""
    if found is None:
        raise Http404
    return found


def delete_confirmed(request) -> bool:
    """Whether a delete may go ahead: only a POST from the confirmation form (templates/_confirm_delete.html,
    which sends confirm=yes). A GET, or a first POST from a plain "Delete" button, shows that form instead."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"
