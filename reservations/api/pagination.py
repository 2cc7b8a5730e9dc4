"""Lists come a page at a time. The body stays the JSON array API.md describes; the way to the
next and previous pages is a `Link` header (RFC 8288, as GitHub's API does) and the number of
items in all pages is `X-Total-Count`, so a client that reads only the body still gets a
well-formed first page."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class LinkHeaderPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        headers = {"X-Total-Count": str(self.page.paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)


def paginated(request, view, items, output_class, shape=None) -> Response:
    """One page of `items` (a queryset, in its order), each page's items through `shape` if
    given, serialized with `output_class`."""
    paginator = LinkHeaderPagination()
    paginator.page_size = settings.API_PAGE_SIZE
    page = paginator.paginate_queryset(items, request, view=view)
    if shape is not None:
        page = shape(page)
    return paginator.get_paginated_response(output_class(page, many=True).data)


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="1-based page number (default 1)"),
    OpenApiParameter("page_size", int, description="items per page, at most 100 (default 50)"),
]


def page_of(output) -> dict:
    """The schema of a paginated answer: the list, and the headers that lead on."""
    return {
        200: OpenApiResponse(
            response=output,
            description="One page; `Link` (rel next/prev) and `X-Total-Count` headers.",
        )
    }
