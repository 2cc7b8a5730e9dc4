"""What the race tests share: threads released together, the answer's code, racers, and a
connection of the tests' own beside Django's."""

import threading

from django.db import connection, connections

from .factories import UserFactory


def run_together(calls):
    """Run each call in its own thread, all released at the same instant; return the results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # recorded, so the test can say which request broke
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def code_of(response):
    return "ok" if response.status_code < 300 else response.json()["code"]


def users(n, prefix="racer"):
    return [UserFactory(username=f"{prefix}{i}") for i in range(n)]


def conninfo() -> str:
    db = connection.settings_dict
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"
