"""Subject access exports of people in the demo service, where every kind of record exists: each
kind appears in someone's export, and one person's export holds nothing about anyone else, even
with a referral marked a duplicate of another person's and the same link coordinator."""

import io
import json
import re
from collections import Counter, defaultdict

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from linkwork.demo.service import wipe
from linkwork.referrals.models import Allocation, Person, Referral
from linkwork.subjects import collect, exports
from linkwork.subjects.models import SubjectAccessRequest
from tests.subjects.test_subject_access import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        mail.outbox = []
        call_command("load_demo", force=True, stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        wipe()


def kinds_by_person() -> dict[int, set[str]]:
    """For each person in the demo, the kinds of record held about them."""
    kinds = defaultdict(set)
    for spec in collect.SECTIONS:
        model = collect.model_of(spec)
        path = "pk" if spec.to_person == "pk" else f"{spec.to_person}_id"
        for person_id in model.objects.values_list(path, flat=True).distinct():
            kinds[person_id].add(spec.model)
    return kinds


def test_every_kind_of_record_appears_in_someones_export(demo):
    kinds = kinds_by_person()
    held = set().union(*kinds.values())
    missing_from_demo = {spec.model for spec in collect.SECTIONS} - held
    # The demo makes every kind but these (each tested by hand in test_subject_access.py, or
    # made only by the worker or a later step).
    assert missing_from_demo <= {
        "referrals.OpenedWithReason",
        "safeguarding.EscalationReminder",
        "trials.AttendanceReport",
        "casework.FeedbackLink",
        "outcomes.MeasureLink",
        "prescriptions.ServiceLink",
    }, missing_from_demo
    to_find = set(held)
    for person_id, theirs in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        if not theirs & to_find:
            continue
        sections = collect.collect(Person.objects.get(pk=person_id))
        found = {s.key for s in sections if s.records}
        for kind in theirs & to_find:
            assert kind.lower() in found, (kind, person_id)
        to_find -= theirs
        if not to_find:
            break
    assert not to_find


MARK = "QXZSECRET"


def _mark_everything_about(person: Person) -> None:
    """Write a recognisable marker into every free-text field of every record about `person`."""
    for spec in collect.SECTIONS:
        model = collect.model_of(spec)
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.unique
            and not f.is_relation
            and f.name not in collect.HIDDEN_FIELDS
            and f.name != "nhs_number"
            and (f.max_length or 100) >= len(MARK) + 4
        ]
        if not text_fields:
            continue
        rows = models.QuerySet(model).filter(**{spec.to_person: person.pk})
        for n, name in enumerate(text_fields):
            try:
                with transaction.atomic():
                    rows.exclude(**{name: ""}).update(**{name: f"{MARK}{n:02d}"})
            except DatabaseError:  # an append-only table that refuses changes: left as it is
                pass


def test_an_export_holds_nothing_about_anyone_else(demo):
    kinds = kinds_by_person()
    richest = sorted(kinds, key=lambda p: (-len(kinds[p]), p))
    a = Person.objects.get(pk=richest[0])
    coordinators = set(
        Allocation.objects.filter(referral__person=a).values_list("coordinator", flat=True)
    )
    b = next(
        Person.objects.get(pk=p)
        for p in richest[1:]
        if Allocation.objects.filter(referral__person_id=p, coordinator__in=coordinators).exists()
        and Person.objects.get(pk=p).nhs_number != a.nhs_number
    )
    Person.objects.filter(pk=b.pk).update(given_name="Zephaniah", family_name="Quillfeather")
    b.refresh_from_db()
    _mark_everything_about(b)
    marked = json.dumps([s.as_json() for s in collect.collect(b)], ensure_ascii=False)
    assert marked.count(MARK) >= 5  # B's notes really are marked
    # One of A's referrals is declined as a duplicate of B's (as if triage matched them wrongly).
    b_referral = Referral.objects.filter(person=b).first()
    Referral.objects.create(
        person=a,
        site=b_referral.site,
        pathway=b_referral.pathway,
        received_via=b_referral.received_via,
        status="declined",
        decline_reason="duplicate",
        duplicate_of=b_referral,
    )
    request = SubjectAccessRequest.objects.create(
        person=a,
        referral=Referral.objects.filter(person=a).first(),
        received_on=timezone.localdate(),
        note="n",
        requested_by=Allocation.objects.filter(referral__person=a).first().coordinator,
    )
    data, pdf, to_review = exports.build(request)
    document = json.loads(data)
    text = json.dumps(document, ensure_ascii=False)
    printed = pdf_text(pdf)
    assert a.full_name in printed and a.nhs_number in text
    assert to_review >= 1
    assert "(withheld: a record about someone else)" in text  # the duplicate's link

    forbidden = [
        "Zephaniah",
        "Quillfeather",
        b.nhs_number,
        MARK,
        *(re.escape(r.reference) for r in Referral.objects.filter(person=b)),
        re.escape(b.reference),
    ]
    if b.phone:
        forbidden.append(re.escape(b.phone))
    for pattern in forbidden:
        assert not re.search(rf"\b{pattern}", text), pattern
        assert not re.search(rf"\b{pattern}", printed), pattern
    # Nor anyone else in the demo (except A's own possible duplicates: the same details).
    same = Counter()
    for other in Person.objects.exclude(pk=a.pk):
        if other.full_name == a.full_name or other.nhs_number == a.nhs_number:
            same["skipped"] += 1
            continue
        assert other.full_name not in text, other.pk
        assert other.full_name not in printed, other.pk
        assert not other.nhs_number or other.nhs_number not in text, other.pk
        for referral in Referral.objects.filter(person=other):
            assert not re.search(rf"\b{referral.reference}\b", text), referral.pk
