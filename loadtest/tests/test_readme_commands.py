"""loadtest/README.md's commands, as printed, against a server started as `make run` starts
it: the embedded default (SQLite, no Redis), `DEBUG=1`, plain-HTTP cookies, confirmation
e-mails to the console, with the README's own settings on top (the load host exempt, its
purchase limit, no e-mails), on a port and a results folder of the test's own in place of
`8000` and `loadtest-results/` (the only words changed): the run passes on holds that were
not refused, no e-mail reaches the server's terminal, and `ready` answers UNKNOWN there.
Every other load tester command line printed in the READMEs and docs is accepted by its
command's options (parsed, not run). And the verdict that cannot pass on nothing: a run that
made no booking call fails, saying why (against the load tester's own server stack)."""

import os
import re
import shlex
import subprocess
import sys

import pytest

from harness.servers import (
    LOCAL_HTTP,
    ROOT,
    free_port,
    manage_each,
    migrated_sqlite,
    server_processes,
)
from loadtest.commands import COMMANDS, command, parse

from .server_stack import Stack

README = ROOT / "loadtest" / "README.md"
# Where a load tester command line may be printed.
PRINTED = (ROOT / "README.md", README, ROOT / "docs" / "DEPLOY.md")


def readme_block(after: str) -> str:
    """The first ```sh block of the README after the line that starts with `after`."""
    text = README.read_text()
    start = text.index(after)
    return re.search(r"```sh\n(.*?)```", text[start:], re.S).group(1)


def readme_loadtest_commands() -> list[list[str]]:
    """The options of every `python -m loadtest` command line printed, inline or in an sh
    block (continued lines joined; a shell variable stands for an id)."""
    text = "\n".join(path.read_text() for path in PRINTED)
    lines = re.findall(r"`((?:\.venv/bin/)?python -m loadtest\b[^`]*)`", text)
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        lines += [line for line in block.replace("\\\n", " ").splitlines() if "-m loadtest" in line]
    words = [shlex.split(re.sub(r'"\$\w+"', "1", line)) for line in lines]
    return [argv[argv.index("-m") + 1 :] for argv in words]


@pytest.mark.parametrize("argv", readme_loadtest_commands(), ids=" ".join)
def test_every_load_tester_command_line_of_the_readme_is_accepted_by_its_command(argv, capsys):
    assert argv[0] == "loadtest", f"not the one tool: python -m {argv[0]}"
    if argv == ["loadtest", "--help"]:
        return  # the overview (test_commands.py)
    name, options = command(argv[1:])
    assert name in COMMANDS, argv
    if "--help" in options:
        with pytest.raises(SystemExit) as shown:
            parse(name, options)
        assert shown.value.code == 0
    else:
        parse(name, options)  # a usage error exits 2: SystemExit fails the test


def make_run_env(tmp_path, **extra) -> dict:
    """What `make run` serves with (the Makefile's `run` target), on a database of the test's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")
    }
    env.update(DEBUG="1", COOKIE_SECURE="0", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env.update(CONFIRMATION_EMAILS="1")
    env.update(extra)
    return env


@pytest.mark.slow
def test_the_readme_load_test_commands_work_as_printed_against_make_runs_server(tmp_path):
    started = readme_block("Against `make run`").split()
    assert started[-2:] == ["make", "run"], "the README starts the server otherwise: change both"
    env = make_run_env(tmp_path, **dict(word.split("=", 1) for word in started[:-2]))
    migrated_sqlite(env)
    port = free_port()
    results = tmp_path / "results"

    def as_printed(after: str) -> subprocess.CompletedProcess:
        script = readme_block(after)
        assert "127.0.0.1:8000" in script and "loadtest-results/" in script
        script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        script = script.replace("loadtest-results/", f"{results}/")
        return subprocess.run(
            ["bash", "-uo", "pipefail", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    with server_processes(env, port=port, log_dir=tmp_path):
        run = as_printed("then, from a second terminal")
        ready = as_printed("## Ready for an on-sale?")  # the users of the first block
        # `make run` collects no static files: its DEBUG serves the admin's from the app.
        admin_css = LOCAL_HTTP.get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        served = (tmp_path / f".server-{port}.log").read_text()  # gone once it stops
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"^verdict\s+PASS", run.stdout, re.M), run.stdout[-3000:]
    assert admin_css.status_code == 200 and b"body" in admin_css.content
    requests = re.search(r"^clicks\s+\S+: 20 clickers, (\d+) requests", run.stdout, re.M)
    assert requests and int(requests.group(1)) > 0, run.stdout[-3000:]
    refused = re.search(r"^holds refused by a limit\s+(\d+) of", run.stdout, re.M)
    assert refused and int(refused.group(1)) == 0, run.stdout[-3000:]
    assert (results / "users.json").exists()
    report = (results / "run.html").read_text()  # beside the JSON
    assert "PASS</div>" in report and report.count("<svg") >= 5
    # Ninety bookings and more, and not one confirmation e-mail in the server's terminal.
    assert "Subject:" not in served and "Content-Type: text/plain" not in served
    # The ready block: make run's server is embedded, and `ready` says it cannot answer there.
    assert ready.returncode == 3, ready.stdout[-3000:] + ready.stderr[-3000:]
    line = ready.stdout.strip().splitlines()[-1]
    assert line.startswith(f"UNKNOWN: http://127.0.0.1:{port} is an embedded server"), line
    assert "PgBouncer" not in ready.stdout  # no plan for a stack that is not there
    page = (results / "ready.html").read_text()
    assert ">UNKNOWN</div>" in page and "python -m loadtest ready " in page


@pytest.mark.slow
def test_a_run_that_made_no_booking_call_fails_and_says_why(stack: Stack):
    """Every seat of the event kept off sale before the run: the clickers find nothing to
    click. On the load tester's stack (conftest.py): the verdict is the load tester's, whatever
    serves."""
    keep = (
        "from reservations.services.blocking import seats_block as keep;"
        " from reservations.models import Event, Seat; event = Event.objects.get(name='Sold').id;"
        " keep(event_id=event,"
        " seat_ids=list(Seat.objects.filter(event_id=event).values_list('id', flat=True)),"
        " reason='sold elsewhere')"
    )
    made, _ = manage_each(
        stack.env(),
        ("create_event", "--name", "Sold", "--rows", "1", "--seats-per-row", "2", "--price", "5"),
        ("shell", "-c", keep),
    )
    event = made.strip()
    run = subprocess.run(
        [sys.executable, "-m", "loadtest", "run", "--url", stack.base, "--event", event]
        + ["--users", str(stack.users), "--auth", "bearer", "--clickers", "2", "--watchers", "1"]
        + ["--duration", "1"],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"event {event} had no seat on sale when the run began" in run.stdout
