"""The ASGI composition (config/asgi.py): what opens and closes with the server."""

import asyncio

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_loops_pool_opens_and_closes_with_the_servers_lifespan():
    from config.asgi import application
    from reservations.api import loop_database

    async def lifespan():
        messages = asyncio.Queue()
        sent = asyncio.Queue()
        server = asyncio.create_task(
            application({"type": "lifespan", "asgi": {"version": "3.0"}}, messages.get, sent.put)
        )
        await messages.put({"type": "lifespan.startup"})
        started = await sent.get()
        pool = loop_database._pool[1] if loop_database._pool else None
        opened = pool is not None and not pool.closed
        await messages.put({"type": "lifespan.shutdown"})
        stopped = await sent.get()
        await server
        return started["type"], opened, stopped["type"], pool is not None and pool.closed

    assert asyncio.run(lifespan()) == (
        "lifespan.startup.complete",
        True,
        "lifespan.shutdown.complete",
        True,
    )


def test_the_app_is_loaded_without_the_libraries_few_requests_use():
    """jsonschema (layout files) and icalendar (calendar files) are imported where they are used:
    at import they were ~65 ms of every server's and command's start."""
    import subprocess
    import sys

    from harness.servers import ROOT, full_stack_env

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, config.asgi; print(sorted(sys.modules))"],
        cwd=ROOT,
        env=full_stack_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'config.asgi'" in loaded
    assert "'jsonschema'" not in loaded and "'icalendar'" not in loaded
