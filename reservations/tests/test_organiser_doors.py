"""The organiser's other doors (issue 39, point 7): the admin scoped by event, categories told
apart by their event, a currency on the event form, a layout read twice reused, and
create_event's help readable on any machine."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from reservations.models import Event, PriceCategory, VenueLayout

from .factories import event_with_seats


def _bare_env() -> dict:
    """This machine's environment as a new user's shell has it: no project settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }


ROOT = Path(__file__).resolve().parents[2]
THEATRE = ROOT / "reservations" / "venues" / "examples" / "theatre.json"
pytestmark = pytest.mark.django_db


def test_create_event_help_reads_without_debug_or_a_secret_key():
    env = _bare_env()
    done = subprocess.run(
        [sys.executable, "manage.py", "create_event", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--seats-per-row SEATS_PER_ROW\n                        a grid's seats in each row" in (
        done.stdout
    )


def test_a_command_without_a_secret_key_says_so_in_one_line():
    env = _bare_env()
    done = subprocess.run(
        [sys.executable, "manage.py", "check_inventory"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1:] == [
        "manage.py: Set the SECRET_KEY environment variable. Against the demo's database "
        "(make run) say DEBUG=1 before the command, as the README's commands do."
    ]


def test_the_same_layout_file_read_twice_is_one_room():
    for name in ("First night", "Second night"):
        call_command("create_event", "--name", name, "--layout", str(THEATRE), stdout=None)
    assert VenueLayout.objects.count() == 1
    assert Event.objects.filter(layout__isnull=False).count() == 2


def test_the_seat_list_opens_on_one_events_seats(admin_client):
    later = event_with_seats(name="Later", days=60)
    sooner = event_with_seats(name="Sooner", days=3)

    answer = admin_client.get("/admin/reservations/seat/")

    assert answer.status_code == 302
    assert answer["Location"].endswith(f"?event__id__exact={sooner.pk}")
    assert (
        admin_client.get(f"/admin/reservations/seat/?event__id__exact={later.pk}").status_code
        == 200
    )


def test_the_category_action_names_each_categorys_event(admin_client):
    event = event_with_seats(name="Gala")
    category = PriceCategory.objects.get(event=event)

    page = admin_client.get(
        f"/admin/reservations/seat/?event__id__exact={event.pk}"
    ).content.decode()

    assert f'<option value="{category.pk}">Gala: {category}</option>' in page


def test_the_event_form_sets_the_currency(admin_client):
    event = event_with_seats(name="Gala")
    page = admin_client.get(f"/admin/reservations/event/{event.pk}/change/").content.decode()
    assert 'name="currency"' in page
