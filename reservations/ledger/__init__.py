"""The ledger: every change of a seat's state, one row each, never changed (docs/LEDGER.md).

The database writes it, not the code paths: a trigger on the seat table (migration 0016)
records every UPDATE that changes a seat's `status` or `version`, in the transaction of the
change, whichever path sent it (the booking steps, the ORM's writes, raw SQL). Who made it,
through what and why come from the change's context (context.py), which the entry points set:
the booking calls, the sweeper, the admin. The inventory check (inventory.py, the
`check_inventory` command) replays it against the seats and the reservations.
"""
