"""The example layouts of docs/LAYOUT.md and the script that writes them (generate.py)."""
