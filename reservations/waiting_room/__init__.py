"""An event's waiting room (docs/API.md "Waiting room"; PROTOCOL.md "Waiting room").

* the draw and its proof, stdlib only so a stranger can run the verifier: ``draw.py``,
  ``verify.py`` (``python -m reservations.waiting_room.verify``);
* how many numbers a tick calls, from the seats: ``admission.py`` (pure);
* the turn token, checked with no network call: ``turn_tokens.py``; each process's copy of the
  rooms' switches and generations: ``rooms_in_memory.py``;
* the booking path's health, as the tick slows down for it: ``path_health.py``;
* its tables (the room, each account's place): ``models.py``;
* places (join, claim, extend): ``places.py``; the tick (draw, calls, state): ``ticks.py``;
  the public state and the proof as the API shows them: ``public_state.py``.

Nothing here imports Django at package level: the verifier must run without it.
"""
