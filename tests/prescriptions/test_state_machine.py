"""The social prescription state table and the link tokens, as pure functions."""

from linkwork.prescriptions import tokens
from linkwork.prescriptions.status import (
    FINAL_STATUSES,
    LINK_FOR_STATUS,
    OUTCOME_STATUSES,
    RESPOND_STATUSES,
    TRANSITIONS,
    PrescriptionStatus,
    can_transition,
)

P = PrescriptionStatus


def test_every_status_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(P)
    for moves in TRANSITIONS.values():
        assert moves <= set(P)


def test_the_final_statuses_are_the_endings():
    assert {
        P.COMPLETED,
        P.DECLINED_BY_PERSON,
        P.DECLINED_BY_SERVICE,
        P.UNAVAILABLE,
    } == FINAL_STATUSES


def test_every_status_can_be_reached_from_suggested():
    reached, frontier = {P.SUGGESTED}, [P.SUGGESTED]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(P)


def test_a_service_can_say_through_its_link_only_what_the_table_allows():
    for status in RESPOND_STATUSES:
        assert can_transition(P.SENT, status)
    for status in OUTCOME_STATUSES:
        assert can_transition(P.ACCEPTED, status)
        assert can_transition(P.ATTENDING, status)
    assert LINK_FOR_STATUS == {P.SENT: "respond", P.ACCEPTED: "outcome", P.ATTENDING: "outcome"}


def test_some_moves_are_refused():
    assert not can_transition(P.SUGGESTED, P.ACCEPTED)
    assert not can_transition(P.SUGGESTED, P.COMPLETED)
    assert not can_transition(P.COMPLETED, P.ATTENDING)
    assert not can_transition(P.DECLINED_BY_SERVICE, P.SENT)
    assert not can_transition(P.SENT, P.SENT)
    assert can_transition(P.ATTENDING, P.ATTENDING)  # a progress report


def test_a_signed_value_round_trips_and_the_token_is_stored_only_as_a_hash():
    token = tokens.new_token()
    signed = tokens.sign(42, token)
    assert tokens.unsign(signed) == (42, token)
    stored = tokens.hash_token(token)
    assert token not in stored and len(stored) == 64
    assert tokens.token_matches(token, stored)
    assert not tokens.token_matches(tokens.new_token(), stored)


def test_tampered_or_garbled_values_are_refused_before_any_lookup():
    signed = tokens.sign(42, tokens.new_token())
    flipped = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    for value in (flipped, "", "garbage", signed + "x", "1:" + signed, signed.replace("4", "5")):
        if value != signed:
            assert tokens.unsign(value) is None
    # Signed with another salt (another kind of link): refused.
    from django.core import signing

    assert tokens.unsign(signing.dumps([42, "t"], salt="linkwork.other")) is None
