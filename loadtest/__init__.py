"""Load generator and benchmark of the live seat map: `python -m loadtest --help`."""

import sys

# `python -m loadtest.bench` (the old entry points, before commands.py) would import its module
# and exit 0 having run nothing: say what it is called now, and fail.
_argv = getattr(sys, "orig_argv", [])
_module = _argv[_argv.index("-m") + 1] if "-m" in _argv[:-1] else ""
if _module.startswith("loadtest.") and _module != "loadtest.__main__":
    from .commands import COMMANDS

    _old = _module.removeprefix("loadtest.")
    _named = {module: name for name, (module, _) in COMMANDS.items()}
    sys.exit(f"python -m {_module} is now: python -m loadtest {_named.get(_old, '--help')}")
