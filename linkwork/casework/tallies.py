"""What the reports need from the contacts, kept small: contacts counted by site, pathway, day,
mode and outcome (`ContactDay`), and when each referral's first support contact took place
(`FirstContact`).

`count_contact` keeps them as contacts are logged and their outcomes recorded (the contact
actions call it in their transaction); `rebuild` remakes them from the contacts, for contacts
written another way (the demo's bulk-loaded past, the benchmark's `COPY`). The day is the
contact's date where the service is (`TIME_ZONE`), as the reports' periods are.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, F, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import ContactDay, ContactOutcome, FirstContact

BATCH = 5000


def count_contact(contact, referral, *, was: str | None = None) -> None:
    """Count `contact` (of `referral`) under its outcome; `was`: the outcome it was counted
    under before."""
    day = timezone.localdate(contact.at)
    if was is not None:
        _add(referral.site_id, referral.pathway_id, day, contact.mode, was, -1)
    _add(referral.site_id, referral.pathway_id, day, contact.mode, contact.outcome, 1)
    if contact.outcome == ContactOutcome.ATTENDED:
        _first_contact(referral.pk, contact.at)


def _add(site_id: int, pathway_id: int, day, mode: str, outcome: str, n: int) -> None:
    """Add `n` to one count in one statement, so two contacts logged at once both count."""
    table = connection.ops.quote_name(ContactDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (site_id, pathway_id, day, mode, outcome, n) "  # noqa: S608 - the table name is the model's
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (site_id, pathway_id, day, mode, outcome) "
            f"DO UPDATE SET n = {table}.n + excluded.n",
            [site_id, pathway_id, day, mode, outcome, n],
        )


def _first_contact(referral_id: int, at) -> None:
    """Keep the earlier of `at` and the first contact already recorded."""
    table = connection.ops.quote_name(FirstContact._meta.db_table)
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (referral_id, at) VALUES (%s, %s) "  # noqa: S608 - the model's table
            f"ON CONFLICT (referral_id) DO UPDATE SET at = {least}({table}.at, excluded.at)",
            [referral_id, at],
        )


def rebuild(*, apps=None) -> None:
    """Remake every count from the contacts. `apps`: a migration's models."""
    if apps is None:
        from django.apps import apps
    contact_model = apps.get_model("casework", "Contact")
    day_model = apps.get_model("casework", "ContactDay")
    first_model = apps.get_model("casework", "FirstContact")

    first_model.objects.all().delete()
    firsts = (
        contact_model.objects.filter(outcome=ContactOutcome.ATTENDED)
        .order_by()
        .values("referral_id")
        .annotate(first=Min("at"))
    )
    _in_batches(
        first_model,
        (
            first_model(referral_id=r["referral_id"], at=r["first"])
            for r in firsts.iterator(chunk_size=BATCH)
        ),
    )

    day_model.objects.all().delete()
    rows = (
        contact_model.objects.order_by()
        .annotate(
            day=TruncDate("at"), site_id=F("referral__site_id"), path_id=F("referral__pathway_id")
        )
        .values("site_id", "path_id", "day", "mode", "outcome")
        .annotate(n=Count("pk"))
    )
    _in_batches(
        day_model,
        (
            day_model(
                site_id=row["site_id"],
                pathway_id=row["path_id"],
                day=row["day"],
                mode=row["mode"],
                outcome=row["outcome"],
                n=row["n"],
            )
            for row in rows.iterator(chunk_size=BATCH)
        ),
    )


def _in_batches(model, objects) -> None:
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)
