"""Venue layouts as files: reading, checking and writing them (docs/LAYOUT.md); no database."""
