"""A small service in a fresh database, for tests that drive a real server over HTTP from another
process (tests/core/test_sqlite_under_load.py). Run with the server's environment:

    python -m tests.core.sqlite_service COORDINATORS PEOPLE_EACH

It prints JSON: each coordinator's username and their people's record numbers, and one
SWEMWBS questionnaire link (signed, for its URL) per person. Apart from those, for the races of
identical submissions: the slug of a site open to self-referral, one more person on the first
coordinator's caseload and a questionnaire link of theirs (`spare`).
"""

import json
import sys


def build(coordinators: int, people_each: int) -> dict:
    from linkwork.outcomes import actions as outcome_actions
    from linkwork.partners.models import SourceType
    from linkwork.referrals.models import ReferralStatus
    from tests.factories import (
        AdministratorFactory,
        CoordinatorFactory,
        PathwayFactory,
        SiteFactory,
        make_referral,
    )

    site = SiteFactory()
    administrator = AdministratorFactory()
    outcome_actions.configure_instrument(
        "swemwbs", by=administrator, enabled=True, registration_confirmed=True
    )
    built = {"coordinators": [], "links": []}
    for number in range(coordinators):
        coordinator = CoordinatorFactory(sites=[site], username=f"coordinator{number}")
        people = []
        for _person in range(people_each):
            referral = make_referral(ReferralStatus.ALLOCATED, site=site, coordinator=coordinator)
            people.append(referral.pk)
            _link, signed = outcome_actions.create_measure_link(
                referral, by=coordinator, instrument="swemwbs", timepoint="baseline"
            )
            built["links"].append(signed)
        built["coordinators"].append({"username": coordinator.username, "people": people})
    PathwayFactory(site=site, name="Self-referral", source_type=SourceType.SELF_REFERRAL)
    spare = make_referral(ReferralStatus.ALLOCATED, site=site, coordinator=coordinator)
    _link, signed = outcome_actions.create_measure_link(
        spare, by=coordinator, instrument="swemwbs", timepoint="baseline"
    )
    built["spare"] = {
        "site": site.slug,
        "username": coordinator.username,
        "person": spare.pk,
        "link": signed,
    }
    return built


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(build(int(sys.argv[1]), int(sys.argv[2]))))  # noqa: T201
