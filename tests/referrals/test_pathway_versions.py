"""Changing a pathway's rules once referrals have come through it makes a new version from today;
each referral keeps the version it came through. Welsh names for pathways."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core.errors import ActionRefused
from linkwork.partners.models import SourceType
from linkwork.referrals import actions
from linkwork.referrals.models import PathwayVersion
from linkwork.referrals.status import ReferralStatus
from tests.factories import OrganisationFactory, make_referral
from tests.referrals.test_referral_journey import assert_kept, date_parts

pytestmark = pytest.mark.django_db


def form_for(pathway, **overrides) -> dict:
    data = {
        "site": str(pathway.site_id),
        "name": pathway.name,
        "name_cy": pathway.name_cy,
        "source_type": pathway.source_type,
        "organisations": [str(o.pk) for o in pathway.organisations.all()],
        **date_parts("opens_on", pathway.opens_on),
        "closes_on_day": "",
        "closes_on_month": "",
        "closes_on_year": "",
        "minimum_age": str(pathway.minimum_age),
    }
    if pathway.frequent_attender_required:
        data["frequent_attender_required"] = "on"
    data.update(overrides)
    return data


def test_raising_the_minimum_age_after_referrals_makes_a_version_and_old_referrals_keep_theirs(
    client_for, manager, gp_referrer, pathway_a
):
    before = make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer)
    assert before.pathway_version.number == 1
    assert before.pathway_version.minimum_age == 18
    client = client_for(manager)
    url = reverse("referrals:pathway_edit", args=[pathway_a.pk])

    page = client.get(url).content.decode()
    assert "1 referral has come through this pathway" in page
    assert "makes version 2, in force from today" in page

    # Without a reason the change is refused, and what was typed is kept.
    refused = client.post(url, form_for(pathway_a, minimum_age="25"))
    assert refused.status_code == 200
    assert "Say why the rules are changing" in refused.content.decode()
    assert_kept(refused.content.decode(), "minimum_age", "25")
    pathway_a.refresh_from_db()
    assert pathway_a.minimum_age == 18
    assert pathway_a.versions.count() == 1

    saved = client.post(
        url,
        form_for(pathway_a, minimum_age="25", change_reason="Agreed with the health board."),
    )
    assert saved.status_code == 302
    pathway_a.refresh_from_db()
    assert pathway_a.minimum_age == 25
    new = pathway_a.versions.get(number=2)
    assert (new.minimum_age, new.valid_from, new.created_by) == (25, timezone.localdate(), manager)
    assert new.reason == "Agreed with the health board."

    # The referral made before keeps version 1 and its rules; one made now gets version 2.
    before.refresh_from_db()
    assert (before.pathway_version.number, before.pathway_version.minimum_age) == (1, 18)
    after = make_referral(
        ReferralStatus.RECEIVED,
        pathway=pathway_a,
        by=gp_referrer,
        person={"date_of_birth": datetime.date(1980, 1, 1)},
    )
    assert after.pathway_version == new
    detail = client.get(reverse("referrals:detail", args=[before.pk])).content.decode()
    assert "Version 1 of its rules" in detail and "aged 18+" in detail

    # The pathway page lists both versions, with their referrals and the reason.
    page = client.get(url)
    versions = page.context["versions"]
    assert [(v.number, v.referral_count) for v in versions] == [(2, 1), (1, 1)]
    assert versions[1].valid_to == timezone.localdate() and versions[0].valid_to is None
    assert "Agreed with the health board." in page.content.decode()

    change = AuditEvent.objects.filter(
        object_type="referrals.pathway", action=AuditAction.CHANGE
    ).get()
    assert change.fields == ["minimum_age"] and change.detail == "version 2"


def test_a_pathway_with_no_referrals_is_corrected_in_place(client_for, manager, site_a):
    client = client_for(manager)
    client.post(
        reverse("referrals:pathway_new"),
        {
            "site": str(site_a.pk),
            "name": "Midwives",
            "source_type": SourceType.MIDWIFERY,
            **date_parts("opens_on", datetime.date(2025, 4, 1)),
            "minimum_age": "18",
        },
    )
    version = PathwayVersion.objects.get(pathway__name="Midwives")
    pathway = version.pathway
    assert (version.number, version.minimum_age) == (1, 18)

    response = client.post(
        reverse("referrals:pathway_edit", args=[pathway.pk]), form_for(pathway, minimum_age="21")
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert pathway.versions.count() == 1 and version.minimum_age == 21


def test_renaming_or_closing_does_not_make_a_version_and_the_source_cannot_change(
    manager, gp_referrer, pathway_a
):
    make_referral(ReferralStatus.RECEIVED, pathway=pathway_a, by=gp_referrer)
    pathway_a.name = "GP referrals (Powys)"
    pathway_a.closes_on = datetime.date(2030, 1, 1)
    actions.save_pathway(pathway_a, organisations=[], by=manager, changed_fields=["name"])
    assert pathway_a.versions.count() == 1

    pathway_a.source_type = SourceType.LOCAL_AUTHORITY
    with pytest.raises(ActionRefused) as refused:
        actions.save_pathway(pathway_a, organisations=[], by=manager, changed_fields=[])
    assert refused.value.field == "source_type"


def test_who_may_refer_is_versioned_too(manager, gp_referrer, gp_practice, pathway_a):
    make_referral(ReferralStatus.RECEIVED, pathway=pathway_a, by=gp_referrer)
    other = OrganisationFactory(source_type=SourceType.GP_PRACTICE, name="Rhayader Surgery")
    actions.save_pathway(
        pathway_a,
        organisations=[other],
        by=manager,
        changed_fields=["organisations"],
        reason="Only Rhayader for the pilot.",
    )
    latest = pathway_a.versions.get(number=2)
    assert latest.organisations == [{"id": other.pk, "name": "Rhayader Surgery"}]
    # Renaming an organisation is not a change of rules.
    other.name = "Rhayader Medical Practice"
    other.save()
    actions.save_pathway(pathway_a, organisations=[other], by=manager, changed_fields=[])
    assert pathway_a.versions.count() == 2


def test_a_pathway_reads_in_welsh_where_it_has_a_welsh_name(
    client_for, manager, gp_referrer, pathway_a
):
    pathway_a.name_cy = "Atgyfeiriadau meddygon teulu"
    pathway_a.save()
    referral = make_referral(ReferralStatus.RECEIVED, pathway=pathway_a, by=gp_referrer)
    with translation.override("cy"):
        assert pathway_a.label == "Atgyfeiriadau meddygon teulu"
    assert pathway_a.label == pathway_a.name

    client = client_for(manager)
    welsh = client.get(reverse("referrals:detail", args=[referral.pk]), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Atgyfeiriadau meddygon teulu" in welsh.content.decode()
    english = client_for(manager).get(reverse("referrals:detail", args=[referral.pk]))
    assert "Atgyfeiriadau meddygon teulu" not in english.content.decode()
    assert pathway_a.name in english.content.decode()
