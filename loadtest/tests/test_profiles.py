"""A profile is one class in one file: registered, `run` offers it, shows its options under its
name, runs its clickers, adds its figures and its verdict, and nothing else is touched. The
profile here is the test's own, against the real stack."""

import pytest

from loadtest.commands import parse
from loadtest.profiles import REGISTRY, Profile, register
from loadtest.run import main_async

from .server_stack import Stack

pytestmark = pytest.mark.slow


class Peek(Profile):
    """each clicker holds --peek-seats seats of its own and lets them go, once; the verdict
    wants every hold granted, and one at least."""

    name = "peek"

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.peeked: list[int] = []
        self.refused = 0

    @staticmethod
    def arguments(group):
        group.add_argument("--peek-seats", type=int, default=1, help="seats each clicker holds")

    async def click(self, clicker, share, stop):
        for seat in share[: self.options.peek_seats]:
            await clicker.make_room()
            if await clicker.lock(seat):
                self.peeked.append(seat)
                await clicker.unlock(seat)
            else:
                self.refused += 1

    def figures(self, clickers):
        return {"peeked": len(self.peeked)}

    def judge(self, clickers, verdict):
        if self.refused or not self.peeked:
            verdict.fail(f"{len(self.peeked)} peek(s) made, {self.refused} refused")


@pytest.fixture
def peek():
    register(Peek)
    yield Peek
    del REGISTRY[Peek.name]


def test_a_registered_profile_shows_its_options_under_its_name(peek, capsys):
    with pytest.raises(SystemExit):
        parse("run", ["--help"])
    shown = capsys.readouterr().out
    assert "peek profile:\n  each clicker holds --peek-seats seats of its own" in shown
    assert "--peek-seats PEEK_SEATS" in shown.split("peek profile:")[1]


async def run_peek(stack: Stack, seats: int) -> dict:
    argv = ["--url", stack.base, "--event", str(stack.event_id), "--users", str(stack.users)]
    argv += ["--auth", "bearer", "--profile", "peek", "--peek-seats", str(seats)]
    argv += ["--clickers", "4", "--watchers", "2", "--quiet", "--settle", "1"]
    return await main_async(parse("run", argv))


async def test_a_registered_profile_runs_its_clickers_figures_and_verdict(peek, stack: Stack):
    result = await run_peek(stack, 2)
    assert result["verdict"]["passed"], result["verdict"]
    assert result["clicks"]["peeked"] == 8
    assert result["clicks"]["by_op"]["lock"]["ok"] == 8  # its clicks are the run's requests


async def test_a_registered_profiles_verdict_is_the_runs(peek, stack: Stack):
    result = await run_peek(stack, 0)
    assert "0 peek(s) made, 0 refused" in result["verdict"]["failures"]
