"""`state/` and `holds/` in a process without live maps (reservations/api/live_views.py): the
live feed's answer when it is out of reach, never a 500."""

import pytest

from .conftest import bearer_client
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["state", "holds"])
def test_without_live_maps_state_and_holds_are_unavailable_for_a_moment(path):
    event = event_with_seats(rows=1, seats_per_row=2)
    answer = bearer_client(UserFactory()).get(f"/api/events/{event.id}/{path}/")
    assert (answer.status_code, answer.json()["code"]) == (503, "unavailable")
    assert answer["Retry-After"] == "1"


def test_holds_still_need_a_login(api):
    event = event_with_seats(rows=1, seats_per_row=2)
    answer = api.get(f"/api/events/{event.id}/holds/")
    assert (answer.status_code, answer.json()["code"]) == (401, "not_authenticated")
