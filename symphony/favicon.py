"""/favicon.ico: browsers ask for it on every site, even pages that name another icon (the admin,
the API docs), and a 404 there is an error in every console."""

from django.conf import settings
from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

ICON = settings.BASE_DIR / "static" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    return FileResponse(ICON.open("rb"), content_type="image/x-icon")
