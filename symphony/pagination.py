"""The API's one pagination style: `?page=N&page_size=M`, answered as `{count, next, previous, results}`."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

MAX_PAGE_SIZE = 100


class Pagination(PageNumberPagination):
    """Every list of the API (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]; symphony.schema documents it)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        # A page that cannot exist is a 400 naming the parameter; one past the end stays DRF's 404.
        _number(request, self.page_query_param, 10**9)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        # DRF would quietly fall back to 20 for a bad size; a client should learn its mistake.
        return _number(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def get_schema_operation_parameters(self, view):
        # The bounds the server keeps (a 400 outside them).
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": 10**9},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def _number(request, name: str, most: int) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdecimal() or not 1 <= int(value) <= most:
        raise ValidationError({name: [f"A whole number from 1 to {most}."]}, code="invalid")
    return int(value)


def paginate(request, view, rows) -> tuple[list, Pagination]:
    """One page of `rows` for this request (404 past the end) and the paginator that answers it."""
    paginator = Pagination()
    return paginator.paginate_queryset(rows, request, view=view), paginator


def paginated(request, view, rows, serializer_class) -> Response:
    page, paginator = paginate(request, view, rows)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
