"""Every statement the booking steps send (a module per family: holds, best, bookings), the
one list of seat columns and the three writes (seats.py), and what a statement is to a runner
(contract.py). Step functions call them as ``sql.<name>``."""

from .best import (
    best_batch_turn,
    event_for_best,
    event_seat_infos,
    hold_blocks,
    layout_shapes,
    taken_seats,
    users_for_update,
)
from .bookings import (
    RESERVATION_TABLE,
    RESERVED_SEAT_TABLE,
    key_claim,
    key_fill,
    key_get,
    queue_turn_end,
    reservation_cancelled,
    reservation_for_update,
    reservation_insert,
    reservation_let_in,
    reservation_read,
    reserved_seats_insert,
    reserved_seats_read,
    reserved_seats_release,
)
from .contract import (
    ROW_LOCK,
    Ending,
    Rank,
    Rows,
    Statement,
    Steps,
    T,
    Table,
    Together,
    id_table,
    moment_of,
)
from .holds import (
    address_locks,
    buyer_runs,
    buyer_state,
    caller_lock,
    event_exists,
    extend,
    free_if_held,
    held_since,
    hold,
    labels,
    passed_seats,
    seats_for_update,
    seats_in_rows,
    seats_written_in_order,
    user_for_update,
    written,
)
from .seats import (
    BLOCK,
    BOOK,
    FREE,
    HOLD,
    PAY,
    SEAT_FIELDS,
    SEAT_INFO_FIELDS,
    SEAT_TABLE,
    WRITTEN_FIELDS,
    SeatRow,
    SeatWrite,
    seat_from_row,
)
