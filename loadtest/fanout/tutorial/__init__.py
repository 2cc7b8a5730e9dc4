"""The Channels design of the tutorials, as the fan-out bench serves it (app.py)."""
