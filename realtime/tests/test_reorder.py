"""The relay's reordering: messages that overtake each other reach sockets in seq order."""

from realtime.reorder import SeqReorder


def message(seq, epoch="e1"):
    """A frame as the relay admits it: (text, seq, epoch)."""
    return f"m{seq}", seq, epoch


class Timers:
    def __init__(self):
        self.started = 0
        self.cancelled = 0

    def start(self):
        self.started += 1
        timers = self

        class Timer:
            def cancel(self):
                timers.cancelled += 1

        return Timer()


def seqs(released):
    return [seq for _, seq, _ in released]


def test_in_order_messages_pass_straight_through():
    reorder = SeqReorder(Timers().start)
    assert [seqs(reorder.admit(*message(n))) for n in (5, 6, 7)] == [[5], [6], [7]]


def test_an_early_message_waits_for_the_one_before_it():
    timers = Timers()
    reorder = SeqReorder(timers.start)
    reorder.admit(*message(61))
    assert seqs(reorder.admit(*message(63))) == []
    assert timers.started == 1
    assert seqs(reorder.admit(*message(62))) == [62, 63]
    assert timers.cancelled == 1
    assert seqs(reorder.admit(*message(64))) == [64]


def test_a_message_that_never_comes_releases_the_waiting_ones_in_order():
    reorder = SeqReorder(Timers().start)
    reorder.admit(*message(1))
    reorder.admit(*message(4))
    reorder.admit(*message(3))
    assert seqs(reorder.timer_fired()) == [3, 4]
    assert seqs(reorder.admit(*message(5))) == [5]
    assert seqs(reorder.admit(*message(2))) == [2]  # late: passed on, clients drop it by seq


def test_a_new_epoch_starts_afresh():
    reorder = SeqReorder(Timers().start)
    reorder.admit(*message(40))
    reorder.admit(*message(42))
    assert seqs(reorder.admit(*message(1, epoch="e2"))) == [42, 1]
    assert seqs(reorder.admit(*message(2, epoch="e2"))) == [2]
