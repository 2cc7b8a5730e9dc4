"""The bench records the commit of the server it measured (BENCH_SERVER_ROOT), which for an
A/B run is another checkout than the load tester's own."""

import subprocess

from loadtest import bench_servers


def _git(root, *args: str) -> str:
    command = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=b@example.com"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=True).stdout


def test_the_commit_recorded_is_the_measured_servers_not_the_load_testers(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "commit", "-q", "--allow-empty", "-m", "the server measured")
    measured = _git(tmp_path, "rev-parse", "HEAD").strip()
    monkeypatch.setattr(bench_servers, "SERVER_ROOT", tmp_path)

    recorded = bench_servers.server_commit()

    assert recorded and measured.startswith(recorded)
    assert not _git(bench_servers.ROOT, "rev-parse", "HEAD").startswith(recorded)
