"""An id in a path: a positive integer that fits PostgreSQL's bigint. A longer number matches
no route, so every route answers it as an unknown one (404 `not_found`) before any query, on
HTTP and WebSocket alike (registered as the `id` converter of Django's `path()`)."""

from django.urls import register_converter

BIGINT_MAX = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > BIGINT_MAX:
            raise ValueError(f"{value} is past bigint")  # Django: no match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
