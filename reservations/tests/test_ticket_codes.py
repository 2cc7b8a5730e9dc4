"""A ticket's code (reservations/tickets/codes.py), pure: what is signed comes back whole, and
anything else (another key, a character changed, cut short, padded) is refused.

Negative control (run once, not committed): with the signature check taken out of `facts_of`,
`test_a_code_changed_anywhere_is_refused` and `test_another_keys_code_is_refused` failed."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from reservations.tickets.codes import CodeRefused, TicketFacts, code_of, facts_of

KEY = Ed25519PrivateKey.generate()
KEYS = {7: KEY.public_key()}.get
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

facts = st.builds(
    TicketFacts,
    key_id=st.just(7),
    event_id=st.integers(1, 2**31 - 1),
    ticket_id=st.integers(1, 2**63 - 1),
    label=st.text(min_size=1, max_size=20),
)


def refused(code: str) -> bool:
    try:
        facts_of(code, KEYS)
    except CodeRefused:
        return True
    return False


@given(facts)
def test_what_is_signed_comes_back_whole(ticket):
    assert facts_of(code_of(ticket, KEY), KEYS) == ticket


@given(facts, st.data())
def test_a_code_changed_anywhere_is_refused(ticket, data):
    code = code_of(ticket, KEY)
    at = data.draw(st.integers(0, len(code) - 1))
    other = data.draw(st.sampled_from(ALPHABET.replace(code[at], "")))
    assert refused(code[:at] + other + code[at + 1 :])


@given(facts, st.integers(1, 40))
def test_a_code_cut_short_or_padded_is_refused(ticket, cut):
    code = code_of(ticket, KEY)
    assert refused(code[:-cut]) and refused(code + "A" * cut)


def test_another_keys_code_is_refused():
    ticket = TicketFacts(key_id=7, event_id=1, ticket_id=1, label="A1")
    assert refused(code_of(ticket, Ed25519PrivateKey.generate()))
    assert refused(code_of(TicketFacts(8, 1, 1, "A1"), KEY))  # a key id the event has not


def test_a_seats_code_is_short_enough_for_a_qr_code_at_arms_length():
    code = code_of(TicketFacts(key_id=1, event_id=12, ticket_id=123456, label="Row C 12"), KEY)
    assert len(code) <= 150 and set(code) <= set(ALPHABET)


def test_garbage_is_refused_in_one_word():
    for text in ("", "hello", "!!!!", "A" * 200):
        assert refused(text)
