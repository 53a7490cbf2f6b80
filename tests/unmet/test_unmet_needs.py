"""Unmet needs: recording one (with its scoping) and the managers' report of them, which counts
needs recorded by staff and social prescriptions that ended "service unavailable" together."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.core.errors import ActionRefused
from linkwork.directory.models import TaxonomyTerm
from linkwork.prescriptions.actions import change_status, make_prescription
from linkwork.prescriptions.models import SocialPrescription
from linkwork.prescriptions.status import PrescriptionStatus
from linkwork.referrals.status import ReferralStatus
from linkwork.unmet import actions
from linkwork.unmet import report as needs_report
from linkwork.unmet.models import UnmetNeed
from tests.factories import CoordinatorFactory, SiteFactory, make_referral, make_service

RECORD = reverse("unmet:record")
REPORT = reverse("unmet:needs")
LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=12, minute=0, tz=datetime.UTC):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


def need(site, category, area, *, by, when=None, note="", referral=None):
    """A need recorded at a given moment (straight into the table, for the report's tests)."""
    return UnmetNeed.objects.create(
        site=site,
        category=category,
        area=area,
        note=note,
        referral=referral,
        recorded_by=by,
        recorded_at=when or timezone.now(),
    )


def ended_unavailable(referral, service, *, by, when=None):
    """A social prescription, made through the actions, that ended "service unavailable"."""
    prescription = make_prescription(referral, by=by, service=service, asked_for="A place")
    change_status(prescription, by=by, to_status=PrescriptionStatus.UNAVAILABLE)
    if when is not None:
        SocialPrescription.objects.filter(pk=prescription.pk).update(status_changed_at=when)
    prescription.refresh_from_db()
    return prescription


def report_rows(response):
    return {row.label: row for row in response.context["report"].categories}


# `walking` is offered as a kind of need only when it is in use (the walkers are listed under
# it); its broader category, Physical activity, is a top-level category and always offered.


@pytest.fixture
def money(db):
    return TaxonomyTerm.objects.create(name="Money advice")


@pytest.fixture
def bethan(pathway_b, gp_referrer, coordinator_b, manager_b):
    """On coordinator_b's caseload at site B."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_b,
        by=gp_referrer,
        staff=manager_b,
        coordinator=coordinator_b,
        person={"given_name": "Bethan", "family_name": "Rees"},
    )


# --- Recording a need ----------------------------------------------------------------------------


def test_a_coordinator_records_a_need_at_their_site(
    client_for, coordinator_a, site_a, walkers, walking
):
    client = client_for(coordinator_a)
    page = client.get(RECORD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Physical activity: Walking" in html
    assert 'name="site"' not in html  # One site: not asked.
    assert "Do not" in html and "name" in html  # The hint warns against naming the person.

    response = client.post(
        RECORD, {"category": walking.pk, "area": "  Rhayader  ", "note": "Walks for wheelchairs"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("directory:search")
    recorded = UnmetNeed.objects.get()
    assert (recorded.site, recorded.category, recorded.area) == (site_a, walking, "Rhayader")
    assert recorded.note == "Walks for wheelchairs"
    assert recorded.recorded_by == coordinator_a
    assert recorded.referral is None
    event = AuditEvent.objects.get(object_type="unmet.unmetneed")
    assert event.action == AuditAction.CREATE
    assert event.object_id == str(recorded.pk)
    assert event.person_id is None
    assert set(event.fields) == {"site", "category", "area", "note"}
    [message] = get_messages(response.wsgi_request)
    assert str(message) == "Unmet need recorded: Walking in Rhayader. Thank you."


def test_a_failed_form_keeps_what_was_typed(client_for, coordinator_a, walkers, walking):
    response = client_for(coordinator_a).post(
        RECORD, {"category": "", "area": "Llanwrtyd Wells", "note": "Swimming for over-70s"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select the kind of need" in html
    assert 'value="Llanwrtyd Wells"' in html
    assert "Swimming for over-70s" in html
    assert not UnmetNeed.objects.exists()


def test_an_area_is_required(client_for, coordinator_a, walkers, walking):
    response = client_for(coordinator_a).post(RECORD, {"category": walking.pk, "area": "   "})
    assert response.status_code == 200
    assert "Enter the area" in response.content.decode()
    assert f'<option value="{walking.pk}" selected>' in response.content.decode()
    assert not UnmetNeed.objects.exists()


def test_the_search_page_prefills_the_category_and_area(
    client_for, coordinator_a, walkers, walking
):
    html = client_for(coordinator_a).get(RECORD, {"category": walking.pk, "area": "Elan"}).content
    html = html.decode()
    assert f'<option value="{walking.pk}" selected>' in html
    assert 'value="Elan"' in html


def test_known_areas_are_suggested_from_the_users_sites(
    client_for, coordinator_a, coordinator_b, site_a, site_b, walkers, debt_advice, money
):
    need(site_a, money, "Llandrindod Wells", by=coordinator_a)
    need(site_b, money, "Treorchy", by=coordinator_b)
    html = client_for(coordinator_a).get(RECORD).content.decode()
    assert '<datalist id="unmet-need-areas">' in html
    assert 'list="unmet-need-areas"' in html
    for area in ("Rhayader and district", "Rhayader", "Llanidloes", "Llandrindod Wells"):
        assert f'<option value="{area}">' in html
    assert "Treorchy" not in html  # Recorded at site B only.


def test_with_no_categories_the_page_says_so(client_for, coordinator_a):
    html = client_for(coordinator_a).get(RECORD).content.decode()
    assert "The directory has no categories yet" in html
    assert f'action="{RECORD}' not in html


def test_a_need_for_a_person_is_linked_to_them_and_goes_back_to_their_record(
    client_for, coordinator_a, angharad, walkers, walking
):
    client = client_for(coordinator_a)
    url = f"{RECORD}?referral={angharad.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "Angharad Pritchard" in page.content.decode()

    response = client.post(url, {"category": walking.pk, "area": "Rhayader", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:record", kwargs={"pk": angharad.pk})
    recorded = UnmetNeed.objects.get()
    assert recorded.referral == angharad
    assert recorded.site == angharad.site
    event = AuditEvent.objects.get(object_type="unmet.unmetneed")
    assert event.person_id == angharad.person_id
    assert set(event.fields) == {"site", "category", "area", "referral"}


def test_a_manager_with_several_sites_chooses_one(
    client_for, manager_both, site_a, site_b, walkers, walking
):
    client = client_for(manager_both)
    assert 'name="site"' in client.get(RECORD).content.decode()
    response = client.post(RECORD, {"site": site_b.pk, "category": walking.pk, "area": "Treorchy"})
    assert response.status_code == 302
    assert UnmetNeed.objects.get().site == site_b


def test_a_coordinator_cannot_record_for_another_site(
    client_for, coordinator_a, site_b, walkers, walking
):
    client = client_for(coordinator_a)
    assert client.get(RECORD, {"site": site_b.pk}).status_code == 404
    response = client.post(RECORD, {"site": site_b.pk, "category": walking.pk, "area": "Treorchy"})
    assert response.status_code == 404
    assert not UnmetNeed.objects.exists()


def test_a_manager_cannot_record_for_a_site_they_do_not_manage(
    client_for, manager_both, walkers, walking
):
    elsewhere = SiteFactory(name="Gwynedd", slug="gwynedd")
    response = client_for(manager_both).post(
        RECORD, {"site": elsewhere.pk, "category": walking.pk, "area": "Bala"}
    )
    assert response.status_code == 404
    assert not UnmetNeed.objects.exists()


def test_a_coordinator_cannot_record_for_a_person_at_another_site(
    client_for, coordinator_a, bethan, walkers, walking
):
    client = client_for(coordinator_a)
    url = f"{RECORD}?referral={bethan.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"category": walking.pk, "area": "Treorchy"}).status_code == 404
    assert not UnmetNeed.objects.exists()


def test_a_coordinator_cannot_record_for_someone_not_on_their_caseload(
    client_for, site_a, angharad, walkers, walking
):
    colleague = CoordinatorFactory(username="colleague", sites=[site_a])
    client = client_for(colleague)
    assert client.get(f"{RECORD}?referral={angharad.pk}").status_code == 404
    assert client.get(f"{RECORD}?referral=nonsense").status_code == 404


@pytest.mark.parametrize("who", ["gp_referrer", "researcher", "administrator"])
def test_others_may_not_record_a_need(request, client_for, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(RECORD).status_code == 403
    assert client_for(user).post(RECORD, {"area": "Rhayader"}).status_code == 403


def test_the_action_keeps_a_persons_need_at_their_site(
    coordinator_a, angharad, site_b, walkers, walking
):
    with pytest.raises(ActionRefused) as refused:
        actions.record_unmet_need(
            by=coordinator_a, site=site_b, category=walking, area="Treorchy", referral=angharad
        )
    assert refused.value.field == "site"
    assert not UnmetNeed.objects.exists()


# --- The report ----------------------------------------------------------------------------------


def test_counts_by_category_and_month_across_a_month_boundary_in_local_time(
    client_for, manager, coordinator_a, site_a, walking, money
):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): a July need.
    need(site_a, walking, "Rhayader", by=coordinator_a, when=at(2025, 6, 30, 22, 30))
    need(site_a, walking, "Rhayader", by=coordinator_a, when=at(2025, 6, 30, 23, 30))
    need(site_a, walking, "Rhayader", by=coordinator_a, when=at(2025, 7, 15))
    need(site_a, money, "Llanidloes", by=coordinator_a, when=at(2025, 8, 1, 0, 0, tz=LONDON))
    need(site_a, money, "Llanidloes", by=coordinator_a, when=at(2025, 9, 1))  # Outside.

    response = client_for(manager).get(REPORT, {"from": "2025-06", "to": "2025-08"})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.months == [datetime.date(2025, m, 1) for m in (6, 7, 8)]
    rows = report_rows(response)
    assert [cell.total for cell in rows["Physical activity: Walking"].months] == [1, 2, 0]
    assert [cell.total for cell in rows["Money advice"].months] == [0, 0, 1]
    assert [cell.total for cell in report.month_totals] == [1, 2, 1]
    assert report.total.total == 4


def test_areas_are_grouped_ignoring_case_and_spaces(manager, coordinator_a, site_a, walking, money):
    for area in ("Rhayader", "rhayader ", "  RHAYADER", "Rhayader", "Builth  Wells"):
        need(site_a, walking, area, by=coordinator_a)
    need(site_a, money, "builth wells", by=coordinator_a)
    this_month = timezone.localdate().replace(day=1)

    report = needs_report.unmet_needs_report(
        sites=[site_a], first_month=this_month, last_month=this_month
    )

    areas = {row.label: row for row in report.areas}
    assert set(areas) == {"Rhayader", "Builth Wells"}  # The most used spelling names it.
    assert areas["Rhayader"].total.total == 4
    assert [cell.total for cell in areas["Builth Wells"].categories] == [1, 1]
    assert [row.label for row in report.categories] == [
        "Money advice",
        "Physical activity: Walking",
    ]
    # The page lists each area's kinds of need, most first, rather than a column for every kind.
    assert [(row.label, needs) for row, needs in report.area_needs] == [
        ("Rhayader", [("Physical activity: Walking", 4)]),
        ("Builth Wells", [("Money advice", 1), ("Physical activity: Walking", 1)]),
    ]


def test_both_sources_are_counted_separately_and_together(
    client_for,
    manager,
    coordinator_a,
    site_a,
    angharad,
    walkers,
    debt_advice,
    walking,
):
    need(site_a, walking, "rhayader and district ", by=coordinator_a)
    ended_unavailable(angharad, walkers, by=coordinator_a)
    ended_unavailable(angharad, debt_advice, by=coordinator_a)
    # Ended otherwise: not an unmet need.
    declined = make_prescription(angharad, by=coordinator_a, service=walkers, asked_for="A walk")
    change_status(declined, by=coordinator_a, to_status=PrescriptionStatus.DECLINED_BY_PERSON)

    response = client_for(manager).get(REPORT)

    report = response.context["report"]
    rows = report_rows(response)
    walking_row = rows["Physical activity: Walking"]
    assert (walking_row.total.recorded, walking_row.total.unavailable) == (1, 1)
    assert walking_row.total.total == 2
    assert (rows["Money advice"].total.recorded, rows["Money advice"].total.unavailable) == (0, 1)
    assert (report.total.recorded, report.total.unavailable, report.total.total) == (1, 2, 3)
    areas = {row.label: row.total for row in report.areas}
    # The walkers' service area, and the money advice's town (it has no service area).
    assert areas == {
        "Rhayader and district": needs_report.Tally(recorded=1, unavailable=1),
        "Llanidloes": needs_report.Tally(recorded=0, unavailable=1),
    }
    html = response.content.decode()
    assert "Service unavailable" in html and "Recorded by staff" in html
    assert "counted under each" not in html


def test_a_service_under_several_categories_counts_under_each_but_once_in_total(
    client_for, manager, coordinator_a, site_a, angharad, walking
):
    both = make_service(name="Walk and talk", sites=[site_a], terms=[walking, "Mental wellbeing"])
    ended_unavailable(angharad, both, by=coordinator_a)

    response = client_for(manager).get(REPORT)

    report = response.context["report"]
    rows = report_rows(response)
    assert rows["Physical activity: Walking"].total.unavailable == 1
    assert rows["Mental wellbeing"].total.unavailable == 1
    assert report.total.unavailable == 1
    assert report.counted_twice
    assert [row.label for row in report.areas] == ["Area not known"]
    assert "counted under each of those kinds" in response.content.decode()


def test_a_manager_sees_only_their_sites(
    client_for,
    manager,
    manager_both,
    coordinator_a,
    coordinator_b,
    site_a,
    site_b,
    bethan,
    rhondda_shed,
    walking,
):
    need(site_a, walking, "Rhayader", by=coordinator_a, note="Site A need")
    need(site_b, walking, "Treorchy", by=coordinator_b, note="Site B need")
    ended_unavailable(bethan, rhondda_shed, by=coordinator_b)

    response = client_for(manager).get(REPORT)
    report = response.context["report"]
    assert (report.total.recorded, report.total.unavailable) == (1, 0)
    assert [row.label for row in report.areas] == ["Rhayader"]
    html = response.content.decode()
    assert "Site A need" in html
    assert "Site B need" not in html and "Treorchy" not in html

    both = client_for(manager_both)
    report = both.get(REPORT).context["report"]
    assert (report.total.recorded, report.total.unavailable) == (2, 1)
    only_b = both.get(REPORT, {"site": site_b.pk})
    assert (
        only_b.context["report"].total.recorded,
        only_b.context["report"].total.unavailable,
    ) == (
        1,
        1,
    )
    assert "Site A need" not in only_b.content.decode()


def test_the_list_of_needs_names_no_one(
    client_for, manager, coordinator_a, site_a, angharad, walking
):
    need(
        site_a,
        walking,
        "Rhayader",
        by=coordinator_a,
        note="Needs a walking group",
        referral=angharad,
    )
    html = client_for(manager).get(REPORT).content.decode()
    assert "Needs a walking group" in html
    assert "Gareth Price" in html  # Who recorded it.
    assert "Angharad" not in html and "Pritchard" not in html


@pytest.mark.parametrize("who", ["coordinator_a", "gp_referrer", "researcher", "administrator"])
def test_only_managers_see_the_report(request, client_for, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(REPORT).status_code == 403
    assert client_for(user).get(REPORT, {"format": "csv"}).status_code == 403


def test_the_default_is_the_last_twelve_months(client_for, manager, coordinator_a, site_a, walking):
    this_month = timezone.localdate().replace(day=1)
    need(site_a, walking, "Rhayader", by=coordinator_a)
    eleven_ago = needs_report.add_months(this_month, -11)
    twelve_ago = needs_report.add_months(this_month, -12)
    need(
        site_a, walking, "Rhayader", by=coordinator_a, when=at(eleven_ago.year, eleven_ago.month, 2)
    )
    need(
        site_a,
        walking,
        "Rhayader",
        by=coordinator_a,
        when=at(twelve_ago.year, twelve_ago.month, 20),
    )

    response = client_for(manager).get(REPORT)

    report = response.context["report"]
    assert len(report.months) == 12
    assert report.months[0] == eleven_ago and report.months[-1] == this_month
    assert report.total.recorded == 2
    html = response.content.decode()
    assert f'<option value="{eleven_ago:%Y-%m}" selected>' in html
    assert f'<option value="{this_month:%Y-%m}" selected>' in html


def test_month_filters(client_for, manager, coordinator_a, site_a, walking):
    for month in (1, 2, 3, 4):
        need(site_a, walking, "Rhayader", by=coordinator_a, when=at(2024, month, 10))
    client = client_for(manager)

    report = client.get(REPORT, {"from": "2024-02", "to": "2024-03"}).context["report"]
    assert report.months == [datetime.date(2024, 2, 1), datetime.date(2024, 3, 1)]
    assert report.total.recorded == 2

    backwards = client.get(REPORT, {"from": "2024-04", "to": "2024-01"})
    assert "The last month must be the same as or after the first month" in (
        backwards.content.decode()
    )
    assert len(backwards.context["report"].months) == 12  # The default instead.

    nonsense = client.get(REPORT, {"from": "last spring"})
    assert "Choose the first month from the list" in nonsense.content.decode()
    assert len(nonsense.context["report"].months) == 12


def test_category_and_area_filters(
    client_for, manager, coordinator_a, site_a, physical_activity, walking, money
):
    need(site_a, walking, "Rhayader", by=coordinator_a, note="walk one")
    need(site_a, physical_activity, "rhayader", by=coordinator_a, note="activity one")
    need(site_a, money, "Rhayader", by=coordinator_a, note="money one")
    need(site_a, walking, "Llanidloes", by=coordinator_a, note="walk two")
    client = client_for(manager)

    # A broad category finds the narrower ones under it.
    response = client.get(REPORT, {"category": physical_activity.pk})
    assert response.context["report"].total.recorded == 3
    assert "money one" not in response.content.decode()

    response = client.get(REPORT, {"area": " RHAYADER "})
    assert response.context["report"].total.recorded == 3
    html = response.content.decode()
    assert "walk one" in html and "activity one" in html and "money one" in html
    assert "walk two" not in html

    response = client.get(REPORT, {"area": "Rhayader", "category": walking.pk})
    assert response.context["report"].total.recorded == 1


def test_csv_download_of_the_category_by_month_table(
    client_for, manager, coordinator_a, site_a, angharad, walkers, walking, money
):
    need(site_a, walking, "Rhayader", by=coordinator_a, when=at(2025, 1, 10))
    need(site_a, money, "=HYPERLINK(1)", by=coordinator_a, when=at(2025, 2, 10))
    ended_unavailable(angharad, walkers, by=coordinator_a, when=at(2025, 2, 12))

    response = client_for(manager).get(
        REPORT, {"from": "2025-01", "to": "2025-03", "format": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="unmet-needs-2025-01-to-2025-03.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Kind of need",
        "2025-01",
        "2025-02",
        "2025-03",
        "Recorded by staff",
        "Service unavailable",
        "Total",
    ]
    assert rows[1] == ["Money advice", "0", "1", "0", "1", "0", "1"]
    assert rows[2] == ["Physical activity: Walking", "1", "1", "0", "1", "1", "2"]
    assert rows[-1] == ["All unmet needs", "1", "2", "0", "2", "1", "3"]


def test_csv_cells_are_not_run_as_formulas(client_for, manager, coordinator_a, site_a):
    formula = TaxonomyTerm.objects.create(name="=1+1")
    need(site_a, formula, "Rhayader", by=coordinator_a)
    response = client_for(manager).get(REPORT, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "'=1+1"


def test_the_report_does_not_query_per_need(
    client_for, manager, coordinator_a, site_a, angharad, walkers, debt_advice, walking, money
):
    """The report is aggregate queries: more needs, the same number of queries."""
    client = client_for(manager)

    def queries_for_report():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORT).status_code == 200
        return len(captured)

    need(site_a, walking, "Rhayader", by=coordinator_a)
    ended_unavailable(angharad, walkers, by=coordinator_a)
    ended_unavailable(angharad, debt_advice, by=coordinator_a)
    few = queries_for_report()
    for index in range(30):
        need(site_a, money if index % 2 else walking, f"Area {index}", by=coordinator_a)
    ended_unavailable(angharad, debt_advice, by=coordinator_a)
    ended_unavailable(angharad, walkers, by=coordinator_a)
    assert queries_for_report() == few


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (RECORD, REPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
