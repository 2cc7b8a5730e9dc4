"""requirements.txt pins what the server imports and nothing else: the packages its code
imports (reservations, realtime, config; their tests aside), what those need, and the extras the
server asks for by name. The load tester's own are in loadtest/requirements.txt, the tests' in
requirements-dev.txt."""

import ast
import importlib.metadata as metadata
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ("reservations", "realtime", "config")
# Extras the server runs with though it imports none of their packages: uvicorn's event loop,
# HTTP parser and reloader, daphne's TLS, psycopg's C build.
EXTRAS = {"uvicorn": "standard", "twisted": "tls", "psycopg": "binary"}
# Run by name, never imported: daphne, the other server the project supports (`python -m daphne
# config.asgi:application`, harness/servers.py).
RUN = {"daphne"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0]).lower()


def _imported_modules() -> set[str]:
    modules = set()
    for folder in SERVER:
        for path in (ROOT / folder).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    # Apps and middleware named in the settings, never imported by a statement.
    settings = (ROOT / "config" / "settings.py").read_text()
    return modules | RUN | set(re.findall(r'"([a-z_]+)(?:\.[\w.]+)?"', settings))


def server_packages() -> set[str]:
    """The distributions the server's imports need, with what they need in turn."""
    owners = metadata.packages_distributions()
    wanted = [_name(d) for module in _imported_modules() for d in owners.get(module, [])]
    needed: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in needed:
            continue
        needed.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            extra = re.search(r"extra == ['\"]([^'\"]+)", requirement)
            if extra is None or EXTRAS.get(name) == extra.group(1):
                wanted.append(_name(requirement))
    return needed


def pinned(path: Path) -> set[str]:
    return {_name(line) for line in path.read_text().splitlines() if "==" in line}


def test_the_server_pins_what_it_imports_and_nothing_else():
    needed, pins = server_packages(), pinned(ROOT / "requirements.txt")
    assert pins - needed == set(), "pinned, but the server never imports it"
    # What a package asks for only on an old Python or another platform is not installed here.
    missing = {name for name in needed - pins if _installed(name)}
    assert missing == set(), "the server imports it, but requirements.txt does not pin it"


def test_the_load_testers_client_is_its_own_and_the_tests_theirs():
    assert "aiohttp" in pinned(ROOT / "loadtest" / "requirements.txt")
    assert "httpx" in pinned(ROOT / "requirements-dev.txt")
    assert {"aiohttp", "httpx"}.isdisjoint(pinned(ROOT / "requirements.txt"))


def _installed(name: str) -> bool:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return False
    return True
