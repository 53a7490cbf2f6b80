"""The records behind a figure: `/reports/records/?metric=...` with the dashboard's filters and
the figure's narrowing (a month, a pathway, a decision). Each metric is the queryset its figure
counted (`data.py`), so the list has exactly the rows the figure counted."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.casework.models import ClientFeedback, Closure, Contact, ContactOutcome, Goal
from linkwork.core.months import add_months, parse_month, start_of
from linkwork.core.params import parse_ids
from linkwork.outcomes.models import Measure, Timepoint
from linkwork.referrals.models import Referral
from linkwork.referrals.status import DeclineReason, ReferralStatus

from . import data
from .filters import Filters
from .scope import Scope

TITLES = {
    "received": _("Referrals received"),
    "decided": _("Referrals by triage decision"),
    "triaged": _("Referrals triaged"),
    "waiting_on": _("On the waiting list"),
    "first_contact": _("Accepted, and their first support contact"),
    "interim": _("Given support while waiting"),
    "seen": _("Seen by a link coordinator"),
    "closed": _("Support ended"),
    "measured": _("Measured at baseline and at the end of support"),
    "goals": _("With goals set"),
    "feedback": _("Gave feedback"),
}


def _pk_or_none(value: str, field: str) -> dict:
    """`none`, one id, or several separated by commas."""
    if value == "none":
        return {f"{field}__isnull": True}
    ids = parse_ids(value)
    if ids is None:
        raise Http404
    return {f"{field}__in": ids}


def _narrowed(chosen: QuerySet[Referral], params) -> QuerySet[Referral]:
    if value := params.get("by_pathway", ""):
        chosen = chosen.filter(**_pk_or_none(value, "pathway_id"))
    if value := params.get("by_organisation", ""):
        chosen = chosen.filter(**_pk_or_none(value, "referring_organisation_id"))
    if value := params.get("month", ""):
        month = parse_month(value)
        if month is None:
            raise Http404
        chosen = chosen.filter(
            received_at__gte=start_of(month), received_at__lt=start_of(add_months(month, 1))
        )
    if params.get("frequent") == "1":
        chosen = chosen.filter(frequent_attender=True)
    return chosen


def _decided(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    chosen = data.received(scope, filters)
    decision = params.get("decision", "")
    if decision == "pending":
        chosen = chosen.filter(data.PENDING)
    elif decision == "declined_any":
        chosen = chosen.filter(status=ReferralStatus.DECLINED)
    elif decision in data.DECISIONS:
        chosen = chosen.filter(data.DECISIONS[decision])
    else:
        raise Http404
    if reason := params.get("reason", ""):
        if reason not in DeclineReason.values:
            raise Http404
        chosen = chosen.filter(decline_reason=reason)
    return chosen


def _waiting_on(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    try:
        day = datetime.date.fromisoformat(params.get("on", ""))
    except ValueError:
        raise Http404 from None
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    return data.waiting_on(scope, filters, moment)


def _first_contact(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    accepted = data.accepted(scope, filters)
    if params.get("seen") == "no":
        return data.not_yet_seen(accepted)
    return data.with_first_contact(accepted).filter(first_contact_at__isnull=False)


def _interim(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    return data.supported_while_waiting(scope, filters)


def _seen(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    contacts = Contact.objects.filter(
        referral=OuterRef("pk"),
        outcome=ContactOutcome.ATTENDED,
        at__gte=filters.start,
        at__lt=filters.end,
    )
    return data.referrals(scope, filters).filter(Exists(contacts))


def _closed(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    closures = Closure.objects.filter(
        referral=OuterRef("pk"),
        closed_on__gte=filters.first_month,
        closed_on__lte=filters.end_date,
        reopened_at__isnull=True,
    )
    return data.referrals(scope, filters).filter(Exists(closures))


def _measured(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    instrument = params.get("instrument", "")
    if not instrument.isidentifier():
        raise Http404
    current = Measure.objects.filter(
        referral=OuterRef("pk"), instrument=instrument, withdrawn_at__isnull=True
    )
    return data.referrals(scope, filters).filter(
        Exists(
            current.filter(
                timepoint=Timepoint.END,
                completed_on__gte=filters.first_month,
                completed_on__lte=filters.end_date,
            )
        ),
        Exists(current.filter(timepoint=Timepoint.BASELINE)),
    )


def _goals(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    goals = Goal.objects.filter(
        referral=OuterRef("pk"),
        started_on__gte=filters.first_month,
        started_on__lte=filters.end_date,
    )
    return data.referrals(scope, filters).filter(Exists(goals))


def _feedback(scope: Scope, filters: Filters, params) -> QuerySet[Referral]:
    forms = ClientFeedback.objects.filter(
        referral=OuterRef("pk"), submitted_at__gte=filters.start, submitted_at__lt=filters.end
    )
    return data.referrals(scope, filters).filter(Exists(forms))


METRICS = {
    "received": lambda scope, filters, params: data.received(scope, filters),
    "decided": _decided,
    "triaged": lambda scope, filters, params: data.triaged(data.received(scope, filters)),
    "waiting_on": _waiting_on,
    "first_contact": _first_contact,
    "interim": _interim,
    "seen": _seen,
    "closed": _closed,
    "measured": _measured,
    "goals": _goals,
    "feedback": _feedback,
}


def records_behind(scope: Scope, filters: Filters, params) -> tuple[str, QuerySet[Referral]]:
    """The title and the referrals behind the figure the parameters name; 404 for a metric or
    narrowing that does not exist."""
    metric = params.get("metric", "")
    if metric not in METRICS:
        raise Http404
    chosen = _narrowed(METRICS[metric](scope, filters, params), params)
    return str(TITLES[metric]), chosen.select_related("person", "site", "pathway").order_by(
        "-received_at", "-pk"
    )
