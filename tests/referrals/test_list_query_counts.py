"""The referral settings and public pages that list records run the same number of SQL queries
however many they list (`tests/query_counts.py`): the pathways a manager keeps, and the sites
taking self-referrals. Each pathway added names its own organisations; each site is new. (The
referral pages staff work from are in `test_query_counts.py`.)"""

import pytest
from django.urls import reverse

from linkwork.partners.models import SourceType
from tests.factories import OrganisationFactory, PathwayFactory, SiteFactory
from tests.query_counts import assert_flat

pytestmark = pytest.mark.django_db


def test_pathways(client_for, manager, site_a):
    def add(k):
        for _ in range(k):
            PathwayFactory(
                site=site_a, organisations=[OrganisationFactory(), OrganisationFactory()]
            )

    assert_flat(client_for(manager), reverse("referrals:pathways"), add)


def test_self_referral_sites(client):
    def add(k):
        for _ in range(k):
            PathwayFactory(site=SiteFactory(), source_type=SourceType.SELF_REFERRAL)

    assert_flat(client, reverse("referrals:self_referral_sites"), add)
