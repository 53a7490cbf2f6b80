"""The referrer's messages page runs the same number of SQL queries however many messages their
organisation has had (`tests/query_counts.py`). Each message added is about a new person,
referred by a new colleague at the practice through a new pathway, and decided by a new
manager."""

import pytest
from django.urls import reverse

from linkwork.referrals.status import ReferralStatus
from tests.factories import ManagerFactory, PathwayFactory, ReferrerFactory, make_referral
from tests.query_counts import assert_flat

S = ReferralStatus

pytestmark = pytest.mark.django_db


def test_referrer_messages(client_for, gp_referrer, gp_practice, site_a):
    def add(k):
        for i in range(k):
            make_referral(
                S.DECLINED if i % 2 else S.WAITING,  # "declined" or "accepted" messages
                pathway=PathwayFactory(site=site_a, organisations=[]),
                by=ReferrerFactory(organisation=gp_practice),
                staff=ManagerFactory(sites=[site_a]),
            )

    assert_flat(client_for(gp_referrer), reverse("messaging:list"), add)
