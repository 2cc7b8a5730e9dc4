"""Which relayed frames a socket's outbox lets through (realtime/outbox.py), without a socket:
held while a snapshot is read, skipped when the snapshot holds them."""

from realtime.frames import encoded_text
from realtime.outbox import Outbox


def an_outbox() -> tuple[Outbox, list[str]]:
    """An outbox whose socket takes every frame at once (an ASGI send that never waits)."""
    sent: list[str] = []

    async def send(message):
        sent.append(message["text"])

    return Outbox(send), sent


def seats(seq: int):
    return encoded_text(f"seats {seq}")


def test_frames_that_come_while_a_snapshot_is_read_wait_for_it():
    outbox, sent = an_outbox()
    assert outbox.holding  # a new socket reads its snapshot first
    assert outbox.relay(seats(11), 11, "e") is True
    assert sent == []
    held = outbox.snapshot_sent("e", 10)
    assert not outbox.holding
    assert [(frame.text, seq) for frame, seq, _ in held] == [("seats 11", 11)]


def test_a_frame_the_snapshot_holds_already_is_not_sent_again():
    outbox, sent = an_outbox()
    outbox.snapshot_sent("e", 10)
    for seq in (9, 10, 11):
        outbox.relay(seats(seq), seq, "e")
    outbox.relay(seats(3), 3, "a new epoch")
    assert sent == ["seats 11", "seats 3"]


def test_a_snapshot_asked_for_later_holds_frames_again_until_it_is_sent():
    outbox, sent = an_outbox()
    outbox.snapshot_sent("e", 10)
    outbox.hold()
    outbox.relay(seats(11), 11, "e")
    assert sent == []
    held = outbox.snapshot_sent("e", 12)
    assert [seq for _, seq, _ in held] == [11]
    for frame, seq, epoch in held:  # as the consumer does: the snapshot holds it already
        outbox.relay(frame, seq, epoch)
    assert sent == []


def test_a_resumed_socket_goes_on_from_the_last_frame_sent_since():
    outbox, sent = an_outbox()
    since = [(seats(11), 11, "e"), (seats(12), 12, "e")]
    sent_since, held = outbox.resumed("e", 10, since)
    assert ([frame.text for frame in sent_since], held) == (["seats 11", "seats 12"], [])
    outbox.relay(seats(12), 12, "e")
    outbox.relay(seats(13), 13, "e")
    assert sent == ["seats 13"]
