"""`python -m loadtest`: one tool, its commands in one overview that fits on a screen, each
command's help under its own name, every option explained, a run's options grouped by what
they set (a profile's own under the profile's name)."""

import argparse
import subprocess
import sys
import textwrap
from inspect import cleandoc

import pytest

from loadtest.commands import COMMANDS, main, parser
from loadtest.profiles import REGISTRY
from loadtest.queue_figures import queue_table
from loadtest.queue_run import queue_run


def loadtest(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "loadtest", *argv], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def here(capsys, monkeypatch):
    """`python -m loadtest` run in this process: its `__main__` is `sys.exit(main())`, which the
    overview's test runs as printed; the rest need not start Python and the tool again."""
    monkeypatch.setenv("COLUMNS", "80")  # a terminal's width, as a subprocess's pipe has

    def run(*argv: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exited:
            code = exited.code or 0
        said = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, said.out, said.err)

    return run


def test_the_overview_fits_on_a_screen_and_names_every_command_with_an_example():
    shown = loadtest("--help")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) <= 40 and max(map(len, lines)) <= 100
    for name in COMMANDS:
        assert any(line.startswith(f"  {name} ") for line in lines), name
    assert "  python -m loadtest run --url " in shown.stdout
    bare = loadtest()
    assert (bare.returncode, bare.stdout) == (2, shown.stdout)


def test_an_unknown_command_is_refused_with_the_overview(here):
    answer = here("fan-in")
    assert answer.returncode == 2
    assert "no command 'fan-in'" in answer.stderr and "  run " in answer.stderr
    assert "--profile" not in answer.stderr.splitlines()[0]


@pytest.mark.parametrize("name", ["best", "season"])
def test_a_command_that_is_a_profile_now_says_how_to_run_it(name, here):
    answer = here(name, "--url", "http://127.0.0.1:8000")
    assert answer.returncode == 2
    moved = f"no command '{name}': python -m loadtest run --profile {name}"
    assert answer.stderr.splitlines()[0] == f"python -m loadtest: {moved}"


@pytest.mark.parametrize("name", COMMANDS)
def test_each_commands_help_is_under_its_name_and_explains_every_option(name, here):
    shown = here(name, "--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"usage: python -m loadtest {name} ")
    options = [a for a in parser(name)[0]._actions if a.help != argparse.SUPPRESS]
    for action in options:
        assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        for option in action.option_strings:
            assert option in shown.stdout, f"{name} {option}"


def test_a_profiles_own_options_are_in_the_group_of_its_name():
    run = parser("run")[0]
    groups = {g.title.split(" ")[0]: g for g in run._action_groups}
    profiles = next(a.choices for a in run._actions if a.dest == "profile")
    own = {
        "journey": "--contention",
        "hot": "--hot-seats",
        "book": "--book-size",
        "hoard": "--hold-cap",
        "onsale": "--click-share",
        "best": "--sizes",
        "queue": "--no-show-share",
        "season": "--quiet-window",
        "door": "--gates",
    }
    for profile, option in own.items():
        assert profile in profiles
        options = {o for a in groups[profile]._group_actions for o in a.option_strings}
        assert option in options, (profile, options)
    # each is a class of loadtest/profiles/, queue (a run of its own) too
    assert set(profiles) == set(REGISTRY)
    # every profile says what its clickers do in its group, with or without options
    assert all(groups[profile].description for profile in profiles)


def test_the_queue_profile_is_its_class_options_usage_and_run(here):
    queue = REGISTRY["queue"]
    shown = here("run", "--help").stdout
    group = shown.split("\nqueue profile:\n")[1].split("\n\n", 2)
    assert group[0] == textwrap.indent(cleandoc(queue.__doc__), "  ")
    for option in ("--pre-queue-share", "--late-within", "--no-show-share", "--claim-within"):
        assert f"  {option} " in group[1], option
    assert (queue.execute, queue.table) == (queue_run, queue_table)
    refused = here("run", "--event", "1", "--profile", "queue")
    assert refused.returncode == 2
    assert "error: --profile queue needs --users (one account per arrival)" in refused.stderr


def test_only_the_season_does_without_an_event_of_its_own(here):
    season = here("run", "--profile", "season", "--users", "u.json", "--auth", "bearer")
    assert "error: --profile season needs --create N or --events IDS" in season.stderr
    assert "required: --event" in here("run", "--profile", "journey").stderr


def test_options_first_are_a_run_as_before_the_commands(here):
    """Old scripts' `python -m loadtest --url ... --event ...` reach the run's options."""
    answer = here("--event", "1", "--profile", "nope")
    assert answer.returncode == 2
    assert answer.stderr.startswith("python -m loadtest run: error: ")
    assert "invalid choice: 'nope'" in answer.stderr


def test_options_checked_against_each_other_give_one_line_naming_the_command(here):
    answer = here("run", "--event", "1", "--clickers", "3")
    assert answer.returncode == 2
    assert answer.stderr == "python -m loadtest run: error: --clickers needs --users (see --help)\n"


@pytest.mark.parametrize(
    "name, rest",
    [
        ("run", ("--event", "1", "--quiet")),
        ("latency", ()),
        ("console", ("--event", "1")),
        ("waiting", ("--event", "1")),
    ],
)
def test_a_url_without_http_is_one_line_and_exit_2_not_a_traceback(here, name, rest):
    answer = here(name, *rest, "--url", "localhost:8000")
    assert answer.returncode == 2, answer.stderr
    assert answer.stderr == (
        f"python -m loadtest {name}: error: argument --url: not http://HOST or https://HOST:"
        " 'localhost:8000' (see --help)\n"
    )


def test_a_negative_count_is_one_line_and_exit_2_not_fewer_users(here, tmp_path):
    users = tmp_path / "users.json"
    users.write_text('[{"username": "a"}, {"username": "b"}, {"username": "c"}]')
    answer = here("run", "--event", "1", "--users", str(users), "--clickers", "-1", "--quiet")
    assert answer.returncode == 2, answer.stderr  # not users[:-1]: two clickers
    assert answer.stderr == "python -m loadtest run: error: --clickers: not below 0 (see --help)\n"


def test_a_fanout_doc_that_is_not_there_is_said_before_the_run_not_after(here, tmp_path):
    small = ("--sizes", "1", "--servers", "floor", "--frames", "1", "--quiet-patience", "0")
    kept = ("--json", str(tmp_path / "fanout.json"), "--plots", str(tmp_path))
    answer = here("fanout", *small, *kept, "--doc", str(tmp_path / "nope.md"))
    assert answer.returncode == 2
    assert answer.stderr.startswith(f"python -m loadtest fanout: error: --doc {tmp_path}/nope.md")
    assert answer.stdout == ""  # no server started, no watcher connected


def test_an_old_entry_point_fails_and_names_its_command_rather_than_run_nothing():
    import subprocess
    import sys

    old = subprocess.run(
        [sys.executable, "-m", "loadtest.report_html", "a.json"], capture_output=True, text=True
    )
    assert old.returncode == 1
    assert "python -m loadtest.report_html is now: python -m loadtest report" in old.stderr
