"""What a link coordinator may read at their own site (`Site.coordinator_access`, decision 0023).

Issue 15 found any coordinator could read any referral at their site: NHS number, phone, known
risks and safeguarding concerns of people declined, withdrawn or supported by a colleague. Each
site now chooses: their caseload and the waiting list only; that, and anyone else after giving a
reason (the default); or everyone at the site. Managers read their sites' referrals either way.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.partners.models import Site
from linkwork.referrals.models import OpenedWithReason
from linkwork.referrals.status import ReferralStatus as S
from linkwork.safeguarding.models import RiskFlag
from tests.factories import CoordinatorFactory, make_referral

pytestmark = pytest.mark.django_db

Access = Site.CoordinatorAccess
NHS = "9434765919"


def _set(site, access):
    site.coordinator_access = access
    site.save(update_fields=["coordinator_access"])


@pytest.fixture
def people(pathway_a, gp_referrer, coordinator_a):
    """At site A: one person on coordinator_a's caseload, one a colleague supports, one waiting,
    one awaiting triage, one declined. Only the last four have the NHS number checked for."""
    colleague = CoordinatorFactory(sites=[pathway_a.site])
    return {
        "theirs": make_referral(
            S.ALLOCATED, pathway=pathway_a, by=gp_referrer, coordinator=coordinator_a
        ),
        "colleagues": make_referral(
            S.ALLOCATED,
            pathway=pathway_a,
            by=gp_referrer,
            coordinator=colleague,
            person={"nhs_number": NHS},
        ),
        "waiting": make_referral(S.WAITING, pathway=pathway_a, by=gp_referrer),
        "received": make_referral(S.RECEIVED, pathway=pathway_a, by=gp_referrer),
        "declined": make_referral(S.DECLINED, pathway=pathway_a, by=gp_referrer),
    }


def test_new_sites_take_a_reason():
    assert Site._meta.get_field("coordinator_access").default == Access.REASON


def _detail(browser, referral):
    return browser.get(reverse("referrals:detail", args=[referral.pk]))


def test_caseload_only_hides_everyone_else_as_if_they_did_not_exist(
    people, site_a, coordinator_a, client_for
):
    _set(site_a, Access.CASELOAD)
    browser = client_for(coordinator_a)
    assert _detail(browser, people["theirs"]).status_code == 200
    assert _detail(browser, people["waiting"]).status_code == 200
    for hidden in ("colleagues", "received", "declined"):
        referral = people[hidden]
        assert _detail(browser, referral).status_code == 404, hidden
        for page in ("safeguarding:person", "referrals:open_with_reason"):
            assert browser.get(reverse(page, args=[referral.pk])).status_code == 404, (hidden, page)
        # A reason changes nothing here.
        browser.post(reverse("referrals:open_with_reason", args=[referral.pk]), {"reason": "x"})
        assert _detail(browser, referral).status_code == 404
    assert not OpenedWithReason.objects.exists()
    # Nor do lists or the search show them.
    listed = browser.get(reverse("referrals:list")).context["page"].object_list
    assert {r.pk for r in listed} == {people["theirs"].pk, people["waiting"].pk}
    found = browser.get(reverse("search"), {"q": NHS})
    assert people["colleagues"].person.full_name not in found.content.decode()


def test_with_a_reason_the_record_opens_for_a_working_day_and_managers_see_why(
    people, site_a, coordinator_a, manager, client_for
):
    _set(site_a, Access.REASON)
    browser = client_for(coordinator_a)
    referral = people["colleagues"]
    # Listed and found, so it can be opened...
    listed = browser.get(reverse("referrals:list")).context["page"].object_list
    assert referral.pk in {r.pk for r in listed}
    # ...but every page about them asks why first, and shows nothing of them meanwhile.
    safeguarding = reverse("safeguarding:person", args=[referral.pk])
    for url in (reverse("referrals:detail", args=[referral.pk]), safeguarding):
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(
            reverse("referrals:open_with_reason", args=[referral.pk])
        )
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(referral.pk), user=coordinator_a
    ).exists()
    asking = browser.get(
        reverse("referrals:open_with_reason", args=[referral.pk]), {"next": safeguarding}
    )
    assert asking.status_code == 200
    assert NHS not in asking.content.decode()

    # No reason: refused, nothing opened.
    response = browser.post(
        reverse("referrals:open_with_reason", args=[referral.pk]),
        {"reason": "  ", "next": safeguarding},
    )
    assert response.status_code == 200
    assert "Say why you need to open this record" in response.content.decode()
    assert _detail(browser, referral).status_code == 302

    # A reason, and back to where they were going.
    response = browser.post(
        reverse("referrals:open_with_reason", args=[referral.pk]),
        {"reason": "She phoned in distress; her coordinator is on leave", "next": safeguarding},
    )
    assert response.status_code == 302 and response["Location"] == safeguarding
    page = _detail(browser, referral)
    assert page.status_code == 200 and NHS in page.content.decode()
    assert browser.get(safeguarding).status_code == 200
    opened = OpenedWithReason.objects.get()
    assert (opened.by, opened.referral) == (coordinator_a, referral)
    line = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="referrals.openedwithreason"
    )
    assert (line.user, line.person_id) == (coordinator_a, referral.person_id)
    assert "phoned" not in line.detail  # the reason may name people: not in the log's detail

    # Only that referral, only for them.
    assert _detail(browser, people["declined"]).status_code == 302
    other = CoordinatorFactory(sites=[site_a])
    assert _detail(client_for(other), referral).status_code == 302

    # The site's managers read the reason.
    review = client_for(manager).get(reverse("referrals:reasons_given"))
    assert review.status_code == 200
    assert "her coordinator is on leave" in review.content.decode()

    # After a working day it closes again.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=8, minutes=1)):
        assert _detail(client_for(coordinator_a), referral).status_code == 302


def test_a_reason_cannot_be_given_for_another_site_or_by_a_manager(
    people, site_a, coordinator_b, manager, client_for
):
    _set(site_a, Access.REASON)
    referral = people["received"]
    url = reverse("referrals:open_with_reason", args=[referral.pk])
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, {"reason": "curious"}).status_code == 404
    # Managers read it anyway, so there is nothing to open.
    assert client_for(manager).get(url).status_code == 404
    assert _detail(client_for(manager), referral).status_code == 200
    assert not OpenedWithReason.objects.exists()


def test_a_link_elsewhere_after_the_reason_is_refused(people, site_a, coordinator_a, client_for):
    _set(site_a, Access.REASON)
    referral = people["received"]
    response = client_for(coordinator_a).post(
        reverse("referrals:open_with_reason", args=[referral.pk]),
        {"reason": "They phoned", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])


def test_a_form_about_someone_not_yet_opened_is_refused_and_changes_nothing(
    people, site_a, coordinator_a, client_for
):
    _set(site_a, Access.REASON)
    browser = client_for(coordinator_a)
    declined, waiting = people["declined"], people["waiting"]
    response = browser.post(
        reverse("safeguarding:raise_flag", args=[declined.pk]),
        {"kind": "falls", "note": "Uses a frame"},
    )
    # A form is refused, not redirected: what was posted is never replayed after the reason.
    assert response.status_code == 404
    assert not RiskFlag.objects.filter(person=declined.person).exists()
    # The waiting list is the site's coordinators' to share: the same form works there.
    response = browser.post(
        reverse("safeguarding:raise_flag", args=[waiting.pk]),
        {"kind": "falls", "note": "Uses a frame"},
    )
    assert response.status_code == 302
    assert RiskFlag.objects.filter(person=waiting.person).exists()


def test_everyone_at_the_site_when_the_site_says_so(people, site_a, coordinator_a, client_for):
    _set(site_a, Access.SITE)
    browser = client_for(coordinator_a)
    for name, referral in people.items():
        assert _detail(browser, referral).status_code == 200, name


def test_reasons_are_reviewed_by_managers_of_that_site_only(
    people, site_a, coordinator_a, manager_b, client_for
):
    _set(site_a, Access.REASON)
    client_for(coordinator_a).post(
        reverse("referrals:open_with_reason", args=[people["received"].pk]),
        {"reason": "They phoned"},
    )
    review = client_for(manager_b).get(reverse("referrals:reasons_given"))
    assert review.status_code == 200
    assert "They phoned" not in review.content.decode()
    assert client_for(coordinator_a).get(reverse("referrals:reasons_given")).status_code == 403


def test_the_record_of_a_reason_cannot_be_rewritten(people, site_a, coordinator_a, client_for):
    _set(site_a, Access.REASON)
    client_for(coordinator_a).post(
        reverse("referrals:open_with_reason", args=[people["received"].pk]),
        {"reason": "They phoned"},
    )
    opened = OpenedWithReason.objects.get()
    with pytest.raises(RuntimeError, match="append-only"):
        opened.save()
    with pytest.raises(RuntimeError, match="append-only"):
        OpenedWithReason.objects.update(reason="nothing to see")
