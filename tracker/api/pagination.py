"""Every list is paginated the same way: ``?page=`` and ``?page_size=`` (1 to 200). A page
size that is not a whole number in range is a 400 naming it; a page past the end is a 404."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        if len(raw) > 1 or not raw[0].isdigit() or not 1 <= int(raw[0]) <= self.max_page_size:
            raise ValidationError({"page_size": [f"a whole number from 1 to {self.max_page_size}."]})
        return int(raw[0])

    def get_page_number(self, request, paginator):
        raw = request.query_params.getlist(self.page_query_param)
        if len(raw) > 1 or (raw and raw[0] != "last" and not raw[0].isdigit()):
            raise ValidationError({"page": ["a page number (1, 2, ...) or 'last'."]})
        return raw[0] if raw else 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters
