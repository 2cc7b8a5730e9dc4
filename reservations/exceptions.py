"""Domain errors of the booking rules, each with the stable code and status of API.md."""


class BookingError(Exception):
    status_code = 409
    code = "conflict"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class AccountInactive(BookingError):
    """A bearer token of an account that is gone or deactivated (checked under the row lock)."""

    status_code = 401
    code = "not_authenticated"


class NotFound(BookingError):
    status_code = 404
    code = "not_found"


class SeatUnavailable(BookingError):
    code = "seat_unavailable"


class HoldLimitReached(BookingError):
    code = "hold_limit"


class NotHolder(BookingError):
    code = "not_holder"


class HoldCapReached(BookingError):
    """A hold is already as long as SEAT_HOLD_MAX_SECONDS allows from when it began."""

    code = "hold_cap_reached"


class LockRequired(BookingError):
    code = "lock_required"


class AlreadyCancelled(BookingError):
    code = "already_cancelled"


class IdempotencyMismatch(BookingError):
    status_code = 422
    code = "idempotency_mismatch"
