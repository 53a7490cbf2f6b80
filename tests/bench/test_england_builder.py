"""The page bench's England-scale builder (`bench/england.py`) at a tiny size: it builds on the
dashboards' COPY builder with the foreign keys checked at commit, adds safeguarding, audit lines
and the trial, and every page the bench times answers for the records it chose; a kept choice
loads back the same. PostgreSQL only: the builder uses COPY."""

import pytest

from tests.bench import COPY_BUILDER

pytest.importorskip("numpy")  # the builder's; not a project dependency

from bench import england  # noqa: E402

pages = england.pages  # the module the builder uses (bench/ on sys.path)

pytestmark = COPY_BUILDER


def test_a_small_service_builds_and_every_page_answers():
    args = pages.parse_args(
        ["--england", "--referrals", "2000", "--sites", "3", "--coordinators", "12"]
    )
    service = england.build(args)

    counts = service.counts
    assert counts["referrals"] == 2000
    assert counts["concerns"] and counts["risk flags"] >= counts["concerns"]
    # Every status change, allocation, contact, closure and measure has its audit line.
    assert counts["audit lines (estimated)"] > counts["casework contacts (estimated)"]
    for name in ("detail_pks", "triage_pks", "waiting_pks", "record_pks", "safeguarding_pks"):
        assert getattr(service, name), name

    for fetch in pages.pages(service).values():
        fetch(0)  # raises unless the page answered 200

    again = england.load()
    assert again.record_pks == service.record_pks
    assert again.coordinator == service.coordinator
    assert again.trial == service.trial
