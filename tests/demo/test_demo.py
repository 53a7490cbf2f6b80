"""`manage.py load_demo`: a believable demo service, the same every time."""

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.utils import timezone, translation

from linkwork.accounts.models import Role, User
from linkwork.audit.models import AuditEvent
from linkwork.demo.history import history_referrals
from linkwork.demo.service import wipe
from linkwork.directory.models import (
    Availability,
    AvailabilityChange,
    LocalNote,
    Organization,
    Service,
    TaxonomyTerm,
)
from linkwork.partners.models import Organisation, Site
from linkwork.referrals import actions, queries
from linkwork.referrals.models import (
    Allocation,
    InterimContact,
    Pathway,
    Person,
    ReceivedVia,
    Referral,
    StatusChange,
)
from linkwork.referrals.status import DeclineReason, ReferralStatus
from linkwork.referrals.validators import nhs_number_is_valid
from linkwork.unmet.models import UnmetNeed

pytestmark = pytest.mark.django_db

COUNTED = (
    Site,
    Organisation,
    User,
    Pathway,
    Person,
    Referral,
    StatusChange,
    InterimContact,
    Allocation,
    AuditEvent,
    # The directory is wiped and rebuilt the same, too.
    Organization,
    Service,
    TaxonomyTerm,
    AvailabilityChange,
    LocalNote,
    UnmetNeed,
)


def load() -> None:
    call_command("load_demo", force=True, stdout=io.StringIO())


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def caseload(user: User) -> int:
    return user.allocations.filter(ended_at__isnull=True).count()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the checks below (each test's own changes roll back). It is
    loaded outside the tests' transactions, so its transactions really commit and whatever they
    queued for after the commit runs; the emails that sent are kept for the test that none
    did."""
    with django_db_blocker.unblock():
        mail.outbox = []
        load()
        emails = list(mail.outbox)
    yield SimpleNamespace(emails=emails)
    with django_db_blocker.unblock():
        wipe()


def test_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")

    assert Referral.objects.count() == 0


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True

    call_command("load_demo", stdout=io.StringIO())

    assert Referral.objects.count() > 50


def test_loading_replaces_everything_and_twice_gives_the_same_demo(coordinator_a):
    load()
    first = counts()
    first_people = sorted(Person.objects.values_list("given_name", "family_name", "nhs_number"))

    load()

    assert counts() == first
    assert sorted(Person.objects.values_list("given_name", "family_name", "nhs_number")) == (
        first_people
    )
    assert not User.objects.filter(username="coordinator_a").exists()
    assert Referral.objects.order_by("pk").first().reference == "R000001"


def test_prints_a_summary(settings):
    out = io.StringIO()

    call_command("load_demo", force=True, stdout=out)

    assert "Powys Rural" in out.getvalue()
    assert "Waiting" in out.getvalue()


def test_about_sixty_referrals_at_both_sites(loaded):
    # About sixty in the service's own story, the forty-five people the trial that closed for
    # COVID-19 assessed at Rhondda (tests/demo/test_trials_demo.py), and the finished cases of
    # the months before (tests/demo/test_history.py).
    trial_people = Referral.objects.filter(trial_participations__trial__status="closed")
    assert trial_people.count() == 45
    story = Referral.objects.exclude(pk__in=trial_people).exclude(pk__in=history_referrals())
    assert 55 <= story.count() <= 70
    for site in Site.objects.all():
        assert site.referrals.count() >= 20


def test_every_status_except_the_passing_accepted_one(loaded):
    # Acceptance puts the person straight on the waiting list, so nothing rests at "accepted";
    # every accepted referral has passed through it.
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus) - {ReferralStatus.ACCEPTED}
    accepted_through = StatusChange.objects.filter(to_status=ReferralStatus.ACCEPTED)
    assert accepted_through.count() == Referral.objects.filter(accepted_at__isnull=False).count()


def test_waiting_lists_at_both_sites_with_urgent_people_and_interim_support(loaded):
    waiting = Referral.objects.filter(status=ReferralStatus.WAITING)
    assert 12 <= waiting.count() <= 18
    for site in Site.objects.all():
        assert waiting.filter(site=site).exists()
    assert waiting.filter(priority="urgent").count() >= 2
    assert InterimContact.objects.filter(by_volunteer=True).exists()
    assert InterimContact.objects.filter(by_volunteer=False).exists()
    now = timezone.now()
    for referral in waiting:
        assert 7 <= referral.days_waiting(now) <= 84


def test_every_decline_reason_once_at_least(loaded):
    declined = Referral.objects.filter(status=ReferralStatus.DECLINED)
    assert set(declined.values_list("decline_reason", flat=True)) == set(DeclineReason)
    assert declined.filter(redirected_to="Community Mental Health Team").exists()


def test_withdrawn_and_reallocated(loaded):
    assert Referral.objects.filter(status=ReferralStatus.WITHDRAWN).exists()
    assert StatusChange.objects.filter(reason="reallocated").exists()


def test_possible_duplicates_by_name_and_by_nhs_number(loaded):
    received = Referral.objects.filter(status=ReferralStatus.RECEIVED)
    everyone = Referral.objects.all()
    matches = {
        referral.pk: list(queries.possible_duplicates(referral, within=everyone))
        for referral in received
    }
    by_nhs = [
        r
        for r in received
        for other in matches[r.pk]
        if other.person.nhs_number and other.person.nhs_number == r.person.nhs_number
    ]
    by_name = [
        r
        for r in received
        for other in matches[r.pk]
        if other.person.given_name == r.person.given_name
        and other.person.date_of_birth == r.person.date_of_birth
    ]
    assert by_nhs
    assert by_name


def test_named_accounts(loaded):
    expected = {
        "manager": (Role.MANAGER, {"powys", "rhondda"}),
        "coordinator": (Role.COORDINATOR, {"powys"}),
        "coordinator2": (Role.COORDINATOR, {"rhondda"}),
        "coordinator3": (Role.COORDINATOR, {"rhondda"}),
        "referrer": (Role.REFERRER, set()),
        "researcher": (Role.RESEARCHER, set()),
        "admin": (Role.ADMINISTRATOR, set()),
    }
    for username, (role, sites) in expected.items():
        user = authenticate(HttpRequest(), username=username, password="linkwork-demo")
        assert user is not None, username
        assert user.role == role
        assert set(user.sites.values_list("slug", flat=True)) == sites
        assert user.email.endswith("@example.org")
        assert user.get_full_name()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="referrer").organisation.source_type == "gp_practice"


def test_every_demo_account_is_marked_and_admin_has_the_published_authenticator(loaded, settings):
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from linkwork.accounts import two_factor
    from linkwork.demo.service import TWO_FACTOR_SECRET

    assert not User.objects.filter(is_demo=False).exists()
    (device,) = TOTPDevice.objects.all()
    assert device.user.username == "admin" and device.confirmed
    assert device.key == b32decode(TWO_FACTOR_SECRET).hex()
    # The README's key, as the README prints it.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"oathtool --totp -b {TWO_FACTOR_SECRET}" in readme
    manager = User.objects.get(username="manager")
    settings.DEBUG = True
    assert not two_factor.required_for(manager)
    settings.DEBUG = False
    assert two_factor.required_for(manager)


def test_the_referrer_can_refer_to_both_sites_and_has_referrals_in_many_states(loaded):
    referrer = User.objects.get(username="referrer")
    usable = Pathway.objects.usable_by(referrer.organisation)
    assert set(usable.values_list("site__slug", flat=True)) == {"powys", "rhondda"}

    theirs = queries.referrals_for(referrer)
    assert len(set(theirs.values_list("status", flat=True))) >= 4
    assert set(theirs.values_list("consent_to_share_feedback", flat=True)) == {True, False}


def test_pathways_tell_the_services_history(loaded):
    today = timezone.localdate()
    self_referral = Pathway.objects.filter(source_type="self_referral")
    assert [p.site.slug for p in self_referral if p.is_open_on(today)] == ["rhondda"]
    closed = [p for p in Pathway.objects.all() if not p.is_open_on(today)]
    assert closed
    # Referrals keep the closed pathway they came through.
    assert Referral.objects.filter(pathway__in=closed).exists()
    # One pathway was widened three weeks ago: its referrals keep the version they came through.
    widened = Pathway.objects.get(site__slug="powys", name="GP practices (all patients)")
    assert [(v.number, v.minimum_age) for v in widened.versions.all()] == [(1, 18), (2, 17)]
    assert widened.referrals.filter(pathway_version__number=1).exists()
    assert not Referral.objects.filter(pathway_version=None).exists()
    assert all(p.minimum_age == 18 for p in Pathway.objects.exclude(pk=widened.pk))
    with translation.override("cy"):
        assert widened.label == "Practisau meddygon teulu (pob claf)"


def test_staff_recorded_and_self_referrals(loaded):
    via = set(Referral.objects.values_list("received_via", flat=True))
    assert {ReceivedVia.PHONE, ReceivedVia.EMAIL, ReceivedVia.PAPER} <= via
    self_referrals = Referral.objects.filter(received_via=ReceivedVia.SELF_REFERRAL)
    assert self_referrals.exists()
    assert set(self_referrals.values_list("site__slug", flat=True)) == {"rhondda"}


def test_caseloads_and_the_full_one(loaded):
    assert 8 <= caseload(User.objects.get(username="coordinator")) <= 12
    assert caseload(User.objects.get(username="coordinator3")) >= 1
    ffion = User.objects.get(username="coordinator2")
    assert caseload(ffion) == ffion.caseload_cap == 15

    waiting = Referral.objects.filter(site__slug="rhondda", status=ReferralStatus.WAITING).first()
    with pytest.raises(actions.ActionRefused, match="caseload is full"):
        actions.allocate_referral(
            waiting, coordinator=ffion, by=User.objects.get(username="manager")
        )


def test_every_nhs_number_passes_the_modulus_11_check(loaded):
    numbers = Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)
    assert len(numbers) > 50
    for number in numbers:
        assert number.startswith("999")
        assert nhs_number_is_valid(number), number


def test_made_up_contact_details(loaded):
    for phone in Person.objects.values_list("phone", flat=True):
        assert phone.startswith("07700 900")
    for email in Person.objects.exclude(email="").values_list("email", flat=True):
        assert email.endswith("@example.com")


def test_everyone_can_be_found_by_the_search_and_some_names_have_accents(loaded):
    """People written in bulk (the history) get their search fields as save() gives others;
    "sian" finds a Siân, as the README says."""
    assert not Person.objects.filter(search_name="").exists()
    assert not Person.objects.filter(search_phone="").exists()
    assert Person.objects.filter(given_name="Siân", search_name__startswith="sian ").exists()
    assert Person.objects.filter(given_name="Llŷr", search_name__startswith="llyr ").exists()


def test_gareths_diary_has_a_call_to_record_and_closed_cases_nothing_booked(loaded):
    from linkwork.casework.models import Contact
    from linkwork.casework.queries import diary_summary

    gareth = User.objects.get(username="coordinator")
    diary = diary_summary(gareth)
    assert len(diary.to_record) == 1
    # Today's visits need the day to have an hour left; the week's, a day left.
    assert not Contact.objects.filter(outcome="booked", referral__status="closed").exists()


def test_ages_at_referral_between_18_and_85(loaded):
    for referral in Referral.objects.select_related("person"):
        age = referral.person.age_on(timezone.localdate(referral.received_at))
        assert 18 <= age <= 85


def test_history_is_back_dated_and_in_order(loaded):
    now = timezone.now()
    assert not AuditEvent.objects.filter(at__gte=now - timezone.timedelta(hours=1)).exists()
    for referral in Referral.objects.prefetch_related("status_changes"):
        times = [change.at for change in referral.status_changes.order_by("pk")]
        assert times[0] == referral.received_at
        assert times == sorted(times)
        assert times[-1] < now
    for allocation in Allocation.objects.select_related("referral"):
        assert allocation.referral.accepted_at < allocation.started_at < now


def test_spread_over_the_months_since_the_first_pathways_opened(loaded):
    today = timezone.localdate()
    ages = [(today - timezone.localdate(r.received_at)).days for r in Referral.objects.all()]
    assert min(ages) >= 1
    # The oldest came in the first weeks after the first pathways opened, eleven months ago.
    opened = (today - min(Pathway.objects.values_list("opens_on", flat=True))).days
    assert opened - 45 <= max(ages) <= opened


def test_demo_messages_to_referrers_count_as_sent(loaded):
    from linkwork.messaging.models import ReferrerMessage

    emailed = ReferrerMessage.objects.exclude(recipient_email="")
    assert emailed.exists()
    assert not emailed.filter(sent_at=None).exists()  # the worker must not email the demo's past


def test_a_community_directory_around_both_sites(loaded):
    services = Service.objects.all()
    assert services.count() >= 40
    assert set(services.values_list("availability", flat=True)) == set(Availability.values)
    for slug in ("powys", "rhondda"):
        assert services.filter(sites__slug=slug).count() >= 20
    assert services.filter(sites=None).exists()  # Wales-wide lines serve every site
    assert services.due_a_check().exists()
    for service in services.prefetch_related("availability_changes"):
        assert service.availability_changes.all()[0].availability == Availability.OPEN
        assert list(service.availability_changes.all())[-1].availability == service.availability
    coordinators = set(User.objects.filter(role=Role.COORDINATOR))
    notes = LocalNote.objects.select_related("author")
    assert notes.count() >= 8
    assert {note.author for note in notes} <= coordinators


def test_unmet_needs_at_both_sites_some_for_people_on_a_caseload(loaded):
    needs = UnmetNeed.objects.select_related("referral", "recorded_by")
    assert needs.count() >= 20
    assert set(needs.values_list("site__slug", flat=True)) == {"powys", "rhondda"}
    linked = [need for need in needs if need.referral]
    assert len(linked) >= 3
    for need in linked:
        assert need.referral.site_id == need.site_id
        assert need.referral.status == ReferralStatus.ALLOCATED
        assert need.referral.allocations.get(ended_at=None).coordinator == need.recorded_by
    assert all(need.recorded_at < timezone.now() for need in needs)


def test_social_prescriptions_go_to_open_services_serving_the_site(loaded):
    from linkwork.prescriptions.models import SocialPrescription
    from linkwork.prescriptions.status import PrescriptionStatus

    prescriptions = SocialPrescription.objects.select_related("service", "referral__site")
    assert prescriptions.filter(status=PrescriptionStatus.UNAVAILABLE).count() >= 2
    for prescription in prescriptions:
        service = prescription.service
        assert service.availability == Availability.OPEN
        assert Service.objects.serving(prescription.referral.site).filter(pk=service.pk).exists()
        if prescription.status != PrescriptionStatus.SUGGESTED:
            assert service.referral_email


def test_nobody_in_the_story_is_emailed(loaded):
    """The demo is built through the actions, which email people; it holds every email, so
    `make run`'s worker has none to send (messages to referrers are kept, marked as sent)."""
    assert loaded.emails == []


def test_letterheads_and_letters_on_the_record_of_someone_gareth_supports(loaded):
    from linkwork.letters.models import Letter, Letterhead, LetterKind

    assert Letterhead.objects.count() == 2
    kinds = set(Letter.objects.values_list("kind", flat=True))
    assert kinds == set(LetterKind.values)
    gareth = User.objects.get(username="coordinator")
    assert Letter.objects.filter(created_by=gareth, kind=LetterKind.APPOINTMENT).exists()
    for letter in Letter.objects.all():
        assert letter.created_at < timezone.now()


def test_the_demo_shows_a_record_opened_with_a_reason(loaded):
    from linkwork.accounts.permissions import Permission, has_permission
    from linkwork.referrals.models import OpenedWithReason

    # Both sites take a reason (the default); Rhys opened one of Ffion's people this morning.
    assert set(Site.objects.values_list("coordinator_access", flat=True)) == {"reason"}
    opened = OpenedWithReason.objects.get()
    rhys = User.objects.get(username="coordinator3")
    assert opened.by == rhys
    assert opened.referral.allocations.filter(
        coordinator__username="coordinator2", ended_at=None
    ).exists()
    assert has_permission(rhys, Permission.VIEW_REFERRAL_IN_FULL, opened.referral)
    # Anyone else Ffion supports is still closed to him.
    others = Referral.objects.filter(
        allocations__coordinator__username="coordinator2", allocations__ended_at=None
    ).exclude(pk=opened.referral.pk)
    assert not has_permission(rhys, Permission.VIEW_REFERRAL_IN_FULL, others.first())


def test_the_demo_audit_log_is_one_intact_chain(loaded):
    """The story back-dates its audit lines, then chains them again in the order written."""
    from linkwork.audit.verify import verify

    result = verify()
    assert result.intact, str(result.broken)
    assert result.count == AuditEvent.objects.count() > 1000


def test_the_demo_record_of_processing_is_filled_in_and_reviewed_in_the_past(loaded):
    from linkwork.subjects.processing import record_of_processing

    record = record_of_processing()
    assert record.controller.controller_name.startswith("Cysylltu Cymunedol")
    assert record.controller.reviewed_by.username == "admin"
    assert record.controller.reviewed_on < timezone.localdate()
    assert not record.due_for_review
    assert all(value for _, value in record.controller_rows)
    access, rectification, erasure = record.requests
    assert access.received >= 1 and rectification.late == 0 and rectification.received >= 1
    assert erasure.received >= 1 and erasure.answered >= 1
