"""Domain errors of the booking rules, each with the stable code and status of API.md."""


class BookingError(Exception):
    status_code = 409
    code = "conflict"
    message = ""  # the words of an error that always says the same, raised without any

    def __init__(self, message: str | None = None, **details):
        self.message = self.message if message is None else message
        super().__init__(self.message)
        self.details = details


class AccountInactive(BookingError):
    """A bearer token of an account that is gone or deactivated (checked under the row lock)."""

    status_code = 401
    code = "not_authenticated"


class RoleRefused(BookingError):
    """The account's roles on the event do not let it do this (roles.py)."""

    status_code = 403
    code = "forbidden"

    def __init__(self, codename: str):
        super().__init__(f"Your role may not do this ({codename}).")


class NotFound(BookingError):
    status_code = 404
    code = "not_found"


class NoLayout(NotFound):
    """`layout/` (and a layout's file) of an event sold as a grid."""

    message = "This event has no layout: its seats are a grid."


class SeatUnavailable(BookingError):
    code = "seat_unavailable"


class HoldLimitReached(BookingError):
    """More live holds of the event at once than SEAT_HOLD_LIMIT (`limit`)."""

    code = "hold_limit"


class AddressHoldLimitReached(BookingError):
    """More live holds of the event at once from one client network than
    SEAT_ADDRESS_HOLD_LIMIT (`limit`), whichever accounts hold them (rules.py)."""

    code = "address_hold_limit"

    def __init__(self, *, limit: int):
        super().__init__(
            f"At most {limit} seats of this event can be on hold at once from one network, "
            f"and other accounts on your network hold that many now. You can hold seats again "
            f"as theirs are booked or let go.",
            limit=limit,
        )


class SeatPassRefused(BookingError):
    """Seats another account of the caller's network let go less than the cooldown ago: they
    went back to the sale for everyone else (rules.py); `hold_again_at`, when that ends."""

    code = "seat_pass_refused"


class PurchaseLimitReached(BookingError):
    """More seats of the event, held and booked together, than its purchase limit (rules.py):
    `limit`, and what the caller `held` and had `booked` when refused."""

    code = "purchase_limit"

    def __init__(self, *, limit: int, held: int, booked: int, adding: int):
        have = [f"hold {held}"] * bool(held) + [f"have booked {booked}"] * bool(booked)
        more = "another" if adding == 1 else f"{adding} more"
        why = f"You {' and '.join(have)}, so {more}" if have else f"{adding}"
        super().__init__(
            f"One account may have at most {limit} seats of this event, held and booked "
            f"together. {why} would be past it.",
            limit=limit,
            held=held,
            booked=booked,
        )


class NotHolder(BookingError):
    code = "not_holder"


class HoldCapReached(BookingError):
    """A hold is already as long as SEAT_HOLD_MAX_SECONDS allows from when it began."""

    code = "hold_cap_reached"


class NoBlock(BookingError):
    """Best available found no seats for the request (docs/BEST_AVAILABLE.md)."""

    code = "no_block"


class OrphanSeat(BookingError):
    """A hold would leave one free seat alone where the event's orphan rule forbids it."""

    code = "orphan_seat"


class CompanionRequiresAccessible(BookingError):
    """A companion seat is booked only with a wheelchair space in the same reservation."""

    code = "companion_requires_accessible"


class LockRequired(BookingError):
    code = "lock_required"


class PriceChanged(BookingError):
    """A reserve whose `total` (what the buyer was shown) is not what the seats cost now: the
    organiser repriced them while they were held (API.md)."""

    code = "price_changed"


class AlreadyCancelled(BookingError):
    code = "already_cancelled"


class SaleEnded(BookingError):
    """A buyer's hold or booking of an event that has begun: the box office sells it now."""

    code = "sale_ended"
    message = "This event has begun: its seats are no longer sold online."


class TooLateToCancel(BookingError):
    """A buyer's own cancel of a booking whose event has begun, or that the door let in."""

    code = "too_late_to_cancel"


class RefundTooLarge(BookingError):
    """A refund past what the booking took (money.py): `refundable` is what is left."""

    code = "refund_too_large"


class AmountAboveTotal(BookingError):
    """A box-office amount above the seats' total, from staff who are not a Manager."""

    status_code = 403
    code = "amount_above_total"


class CompTakesNothing(BookingError):
    status_code = 400
    code = "invalid"
    message = "A comp takes nothing: leave amount_taken out, or 0."


class IdempotencyMismatch(BookingError):
    status_code = 422
    code = "idempotency_mismatch"


# --- the waiting room (API.md "Waiting room") ------------------------------------------------


class QueueTurnRequired(BookingError):
    """A hold on an event whose waiting room is on, without a good turn token."""

    status_code = 403
    code = "queue_turn_required"
    message = "Wait for your turn in the queue to choose seats."


class QueueTurnExpired(BookingError):
    status_code = 403
    code = "queue_turn_expired"
    message = "Your turn is over: take a new place in the queue."


class NoQueue(BookingError):
    status_code = 404
    code = "no_queue"
    message = "This event has no waiting room."


class NotInQueue(BookingError):
    status_code = 404
    code = "not_in_queue"
    message = "You have no place in this event's queue: join it first."


class QueueNotOpen(BookingError):
    code = "queue_not_open"


class SoldOut(BookingError):
    code = "sold_out"
    message = "Sold out: every seat of this event is booked."


class NotYourTurn(BookingError):
    code = "not_your_turn"


class TurnLapsed(BookingError):
    code = "turn_lapsed"


class TurnExtended(BookingError):
    code = "turn_extended"
    message = "This turn has been extended once already."


# --- e-mail verification (API.md "E-mail verification") ---------------------------------------


class EmailUnverified(BookingError):
    """Joining a waiting room (WAITING_ROOM_REQUIRES_VERIFIED_EMAIL), or holding seats of an
    event whose organiser asks for it, without a verified e-mail; `email`: the account's
    address, empty when it has none; `to`: what it was refused, in a buyer's words."""

    status_code = 403
    code = "email_unverified"

    def __init__(self, *, email: str, to: str):
        if email:
            message = (
                f"Confirm your e-mail address to {to}: open the link we sent to "
                f"{email}, or have it sent again."
            )
        else:
            message = f"Add your e-mail address to {to}, then open the link we send to it."
        super().__init__(message, email=email)


class VerificationLinkInvalid(BookingError):
    status_code = 400
    code = "verification_link_invalid"


class NoEmail(BookingError):
    code = "no_email"
    message = "This account has no e-mail address: add one first."


class EmailAlreadyVerified(BookingError):
    code = "email_already_verified"
    message = "This e-mail address is confirmed already."


class ChallengeRequired(BookingError):
    """A door that asks for proof of work first (api/challenges.py): `challenge` to solve and
    send back as `altcha` with the same request."""

    status_code = 403
    code = "challenge_required"

    def __init__(self, challenge: dict, message: str):
        super().__init__(message, challenge=challenge)


class AwaitingPayment(BookingError):
    """Staff may not reseat or refund an order that is not paid yet (API.md "Paying")."""

    code = "awaiting_payment"


class NotAwaitingPayment(BookingError):
    """Paying for an order that is paid, expired or cancelled (API.md "Paying")."""

    code = "not_awaiting_payment"


class ProviderAway(BookingError):
    """The payment provider did not answer a "pay now", or answered that it is in trouble."""

    status_code = 503
    code = "unavailable"
    message = "The payment service is out of reach; nothing was started. Try again in a moment."


class PaymentRefused(BookingError):
    """The payment provider refused to start a "pay now" (a total under its least charge)."""

    code = "payment_refused"


class PaymentNotificationRefused(BookingError):
    """A payment provider's notification whose signature does not hold (API.md "Paying")."""

    status_code = 400
    code = "invalid_signature"


# A ticket scanned at a door and refused (API.md "Tickets"): nothing is written.
class InvalidTicket(BookingError):
    status_code = 400
    code = "invalid_ticket"


class NonceTaken(BookingError):
    """A scan's nonce sent before with another ticket's code: not a retried upload of it."""

    status_code = 400
    code = "invalid"
    message = "This nonce was sent with another ticket's scan: send each scan its own."


class WrongEvent(BookingError):
    code = "wrong_event"


class TicketRevoked(BookingError):
    code = "revoked"


class TicketUnpaid(BookingError):
    code = "unpaid"


class AlreadyInside(BookingError):
    code = "already_inside"


class NotInside(BookingError):
    code = "not_inside"
