"""What compose's image takes from a checkout (docker-compose.yml's Dockerfile and
.dockerignore, read from the files: no Docker here), and what git keeps out of the repository:
no secret, database, result, environment or history ever goes into either."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app"]["build"][
    "dockerfile_inline"
]

# What a working checkout holds beside the code (README, docs/DEPLOY.md, make run, the tests).
SECRETS = [
    ".env",
    ".env.production",
    "frontend/.env.local",
    ".secret-key",
    "db.sqlite3",
    "db.sqlite3-journal",
    "loadtest-results/users.json",
    ".venv/bin/python",
    ".tools/pgbouncer-1.24.1/bin/pgbouncer",
    "frontend/node_modules/react/index.js",
    ".git/config",
    "config/site/nginx/real-ip.conf",
]
# What the image is built from.
NEEDED = [
    "manage.py",
    "requirements.txt",
    "config/settings.py",
    "config/nginx/seatmap.conf",
    "reservations/models.py",
    "reservations/templates/reservations/confirmation_email.txt",
    "realtime/consumers.py",
    "frontend/package.json",
    "frontend/package-lock.json",
    "frontend/src/main.tsx",
]


def _pattern(line: str) -> re.Pattern:
    """A .dockerignore line as moby's matcher reads it: from the context's root, `*` and `?`
    within one name, `**` any number of names."""
    parts = []
    for token in re.split(r"(\*\*/?|\*|\?)", line.strip("/")):
        if token.startswith("**"):
            parts.append("(.*/)?" if token.endswith("/") else ".*")
        elif token == "*":
            parts.append("[^/]*")
        elif token == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def sent_to_the_builder(path: str) -> bool:
    """Whether the build context has `path`: the last line matching it or a folder above it
    decides, a `!` line taking it back."""
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = path.split("/")
    above_and_self = ["/".join(names[: i + 1]) for i in range(len(names))]
    sent = True
    for line in lines:
        keep = line.startswith("!")
        pattern = _pattern(line.removeprefix("!"))
        if any(pattern.fullmatch(p) for p in above_and_self):
            sent = keep
    return sent


def copied_sources() -> list[str]:
    """The context's paths the Dockerfile copies (`COPY --from` copies from a stage)."""
    sources = []
    for line in DOCKERFILE.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources += words[1:-1]
    return sources


@pytest.mark.parametrize("path", SECRETS)
def test_no_secret_database_result_or_environment_reaches_the_image(path):
    assert copied_sources()  # the steps were read
    copied = any(s == "." or path.startswith(s.rstrip("/") + "/") for s in copied_sources())
    assert not (copied and sent_to_the_builder(path)), f"{path} would be in the image"


@pytest.mark.parametrize("path", NEEDED)
def test_what_the_image_is_built_from_reaches_it(path):
    assert sent_to_the_builder(path), f"{path} is kept out of the image"


def test_the_matcher_reads_lines_as_docker_does():
    """A negative control for the matcher itself: a folder's line keeps out what is in it."""
    assert _pattern("**/tests/").fullmatch("reservations/tests")
    assert _pattern("*").fullmatch("config") and not _pattern("*").fullmatch("config/urls.py")
    assert _pattern("**/*.sqlite3*").fullmatch("db.sqlite3-wal")


@pytest.mark.parametrize("path", [p for p in SECRETS if not p.startswith(".git/")])
def test_git_never_takes_a_secret_database_or_result(path):
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, f"`git add -A` would commit {path}"
