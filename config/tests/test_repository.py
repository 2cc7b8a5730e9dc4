"""The repository holds no path of the machine a file was made on (a checkout's folder, a
temporary directory of a run): recorded results and their commands name files from the
repository's root, so they read the same on every clone."""

import re
import subprocess

from harness.servers import ROOT

MACHINE_PATH = re.compile(r"/(?:work|home|root|Users)/[\w.-]+/|/tmp/tmp\w+/")


def test_no_tracked_file_names_a_path_of_the_machine_it_was_made_on():
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    found = []
    for name in filter(None, tracked):
        try:
            text = (ROOT / name).read_text()
        except (UnicodeDecodeError, IsADirectoryError):
            continue  # images, fonts
        found += [f"{name}: {m}" for m in sorted(set(MACHINE_PATH.findall(text)))]
    assert found == []
