"""Reach: who the service reaches compared with who is referred to it, by age band, frequent
attendance, pathway, area (postcode district) and preferred language. "Reached" means supported
by a link coordinator: allocated at some time."""

from __future__ import annotations

from collections import Counter

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.core import charts
from linkwork.referrals.models import Allocation, Language, Pathway

from .. import data
from ..figures import Dashboard, Row, Section, Table
from .context import Context

AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, None))


def build(ctx: Context) -> Dashboard:
    people = _referred(ctx)
    f = ctx.figures
    referred = len(people)
    reached = sum(1 for p in people if p["reached"])
    overview = Section(
        "overview",
        _("Referred and reached"),
        figures=[
            f.count("referred", _("People referred"), referred, ctx.link("received")),
            f.share("reached", _("Supported by a link coordinator"), reached, referred),
        ],
        notes=[
            _(
                "Everyone referred in the period, and those of them who have been supported by "
                "a link coordinator so far. A group whose share of those reached is much "
                "smaller than its share of those referred is being lost between referral and "
                "support."
            )
        ],
    )
    several = ctx.several_sites
    pathways = {
        p.pk: (f"{p.name} ({p.site.name})" if several else p.name)
        for p in Pathway.objects.filter(pk__in={p["pathway_id"] for p in people}).select_related(
            "site"
        )
    }
    languages = dict(Language.choices)
    dimensions = [
        ("age", _("Age at referral"), lambda p: _age_band(p)),
        (
            "frequent_attender",
            _("Frequent attenders"),
            lambda p: _("Frequent attender") if p["frequent"] else _("Not a frequent attender"),
        ),
        ("pathway", _("Pathway"), lambda p: pathways.get(p["pathway_id"], "")),
        ("area", _("Area (postcode district)"), _district),
        (
            "language",
            _("Preferred language"),
            lambda p: str(languages.get(p["language"], p["language"] or _("Not known"))),
        ),
    ]
    sections = [overview]
    for key, title, group_of in dimensions:
        sections.append(_dimension(ctx, key, title, people, group_of))
    return Dashboard(
        "reach",
        _("Reach"),
        _(
            "Who is referred, and who the service reaches, by age, frequent attendance, pathway, "
            "area and language."
        ),
        sections,
    )


def _referred(ctx: Context) -> list[dict]:
    """One row per referral received in the period: the facts reach is counted by."""
    fields = {
        "dob": "person__date_of_birth",
        "received_at": "received_at",
        "frequent": "frequent_attender",
        "pathway_id": "pathway_id",
        "postcode": "person__postcode",
        "language": "person__preferred_language",
        "reached": "reached",
    }
    rows = (
        data.received(ctx.scope, ctx.filters)
        .annotate(reached=Exists(Allocation.objects.filter(referral=OuterRef("pk"))))
        .values_list(*fields.values())
    )
    return [dict(zip(fields, row, strict=True)) for row in rows]


def _age_band(person: dict) -> str:
    day = timezone.localdate(person["received_at"])
    dob = person["dob"]
    age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    for low, high in AGE_BANDS:
        if high is None and age >= low:
            return _("%(low)s and over") % {"low": low}
        if high is not None and low <= age <= high:
            return f"{low}–{high}"
    return _("Under %(age)s") % {"age": AGE_BANDS[0][0]}


def _district(person: dict) -> str:
    """The outward code of the postcode ("SY18"), or "Not known"."""
    postcode = (person["postcode"] or "").strip().upper()
    if not postcode:
        return _("Not known")
    return postcode.split()[0] if " " in postcode else postcode[:-3] or postcode


def _dimension(ctx: Context, key: str, title: str, people: list[dict], group_of) -> Section:
    f = ctx.figures
    referred = Counter(group_of(p) for p in people)
    reached = Counter(group_of(p) for p in people if p["reached"])
    total_referred, total_reached = sum(referred.values()), sum(reached.values())
    groups = sorted(referred, key=lambda g: (key != "age" and -referred[g], g))
    rows, bars = [], []
    referred_label, reached_label = _("Share of those referred"), _("Share of those reached")
    for group in groups:
        share_referred = f.rate("share_referred", referred_label, referred[group], total_referred)
        share_reached = f.rate("share_reached", reached_label, reached[group], total_reached)
        rows.append(
            Row(
                group,
                [
                    f.count("referred", _("Referred"), referred[group]),
                    f.count("reached", _("Reached"), reached[group]),
                    f.rate("reach_rate", _("Reach rate"), reached[group], referred[group]),
                    share_referred,
                    share_reached,
                ],
                group,
            )
        )
        bars.append(share_referred.bar(group, series=referred_label))
        bars.append(share_reached.bar(group, series=reached_label))
    chart = charts.bar_chart(
        title=_("%(title)s: share of those referred and of those reached") % {"title": title},
        summary=_(
            "Each group's share of the %(referred)s people referred, beside its share of the "
            "%(reached)s reached."
        )
        % {
            "referred": f.count("", "", total_referred).text,
            "reached": f.count("", "", total_reached).text,
        },
        bars=bars,
        label_title=title,
        value_title=_("Share"),
        percent=True,
        grouped=True,
    )
    table = Table(
        f"reach_by_{key}",
        _("%(title)s: referred and reached") % {"title": title},
        [title, _("Referred"), _("Reached"), _("Reach rate"), referred_label, reached_label],
        rows,
    )
    return Section(key, title, charts=[chart], tables=[table])
