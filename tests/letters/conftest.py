"""People and things the letters tests start from, beside the shared cast (tests/conftest.py)."""

import datetime
import shutil
import subprocess

import pytest
from django.utils import timezone

from linkwork.casework import actions as casework
from linkwork.letters import actions
from linkwork.letters.models import Letterhead
from linkwork.referrals.status import ReferralStatus
from tests.factories import make_referral


@pytest.fixture
def letterhead_a(site_a):
    return Letterhead.objects.create(
        site=site_a,
        service_name="Cyswllt Cymunedol Powys",
        address="Canolfan y Dref\nStryd Fawr\nLlanidloes\nSY18 6BN",
        phone="01686 412345",
        email="powys@example.org",
    )


@pytest.fixture
def ann(pathway_a, gp_referrer, manager, coordinator_a):
    """Ann Jones, on coordinator_a's caseload at site A, who agreed her GP may hear back."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
        person={
            "given_name": "Ann",
            "family_name": "Jones",
            "address": "4 Heol y Bryn\nLlanidloes",
            "postcode": "SY18 6AB",
        },
        consent_to_share_feedback=True,
    )


@pytest.fixture
def gwen(pathway_a, gp_referrer, manager, coordinator_a):
    """Gwen Prys, who prefers Welsh and did not agree to her GP hearing back."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
        person={"given_name": "Gwen", "family_name": "Prys", "preferred_language": "cy"},
        consent_to_share_feedback=False,
    )


def book(referral, by, *, days=3, hour=10, mode="home_visit"):
    """A contact booked with the person `days` from now."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))
    return casework.log_contact(
        referral, by=by, at=at, mode=mode, outcome="booked", minutes=45, note="Goal review"
    )


def close(referral, by, reason="goals_achieved"):
    return casework.close_case(referral, by=by, reason=reason, summary="Support finished.")


def make(referral, by, kind, **choices):
    """A letter made through the action, with the record's defaults for what is not given."""
    defaults = {
        "language": "en",
        "recipient_name": referral.person.full_name,
        "recipient_address": "4 Heol y Bryn\nLlanidloes\nSY18 6AB",
    }
    return actions.make_letter(referral, by=by, kind=kind, **(defaults | choices))


def pdf_text(content: bytes, tmp_path) -> str:
    """The words of a PDF, through poppler's pdftotext."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed to read the PDFs"
    result = subprocess.run(  # noqa: S603  (poppler's pdftotext, fixed arguments)
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout
