"""The seating package is pure logic: it runs where Django is not even configured."""

import subprocess
import sys
from pathlib import Path

import pytest

from reservations.seating import Request, best_available, candidates

from .drawing import room

REPO = Path(__file__).resolve().parents[3]


def test_the_seating_package_imports_nothing_of_django():
    script = (
        "import sys, reservations.seating;"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'django');"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_candidates_need_room_for_at_least_one():
    with pytest.raises(ValueError):
        candidates(room("A: ...."), Request(count=1), orphan_mode="off", limit=0)


def test_an_unknown_orphan_mode_is_refused():
    with pytest.raises(ValueError):
        best_available(room("A: ...."), Request(count=1), orphan_mode="sometimes")
