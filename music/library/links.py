"""Which check-in a list was made for, told by the app that links them.

Music stores lists and knows no check-in: detection links its check-ins to the lists made for them
(detection.models.CheckInRecommendation), so that the schema points down the floors as the imports
do. Music's API, export and admin still show a list's check-in: detection registers, in its
AppConfig.ready(), a query expression giving that id per list (as apps register with
accounts.data_rights), and music never reads detection's table itself."""

from collections.abc import Callable

from django.db.models import Expression, IntegerField, QuerySet, Value

_check_in_id: Callable[[], Expression] | None = None


def check_in_id_register(expression: Callable[[], Expression]) -> None:
    """`expression()`: the id of the check-in a list (OuterRef("pk")) was made for, or NULL."""
    global _check_in_id
    _check_in_id = expression


def with_check_in_id(lists: QuerySet) -> QuerySet:
    """These lists, each with `check_in_id`: its check-in's id, None for a mood picked by hand."""
    expression = _check_in_id() if _check_in_id is not None else Value(None, output_field=IntegerField())
    return lists.annotate(check_in_id=expression)
