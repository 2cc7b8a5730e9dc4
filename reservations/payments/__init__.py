"""Paying for an order: the pay window (settling.py), the providers behind one seam
(providers.py), and each attempt and refund recorded (models.py). docs/API.md "Paying"."""
