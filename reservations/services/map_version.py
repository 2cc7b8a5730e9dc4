"""An event's `map_version`: what names the static part of its seat map (GET .../map/).

The document is built once per version and served from a cache (api/map_document.py), so every
write of what it shows bumps the version in the write's own transaction: a price or a category
(categories.py, and the admin's category inline), a seat's category, a block (blocking.py).
Seat positions, labels and flags are written only when the event is made, at version 0.

The bump updates the event row last, after the rows the service decided on (its seat rows in
id order). Nothing else takes that row's lock: a reservation's foreign key takes only a key
share of it, which this update (not of a key) does not wait for.
"""

from django.db.models import F

from ..models import Event


def map_version_bump(*, event_id: int) -> None:
    Event.objects.filter(pk=event_id).update(map_version=F("map_version") + 1)
