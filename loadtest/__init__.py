"""Load generator and benchmark of the live seat map: `python -m loadtest --help`."""
