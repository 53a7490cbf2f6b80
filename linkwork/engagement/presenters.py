"""How a partner's figures read: the chart of referrals (or social prescriptions) per month with
each engagement activity marked on the same time axis, and the sentences around it."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linkwork.core.charts import Chart, Marker, Point, time_chart

from .queries import Figures, GPConcentration, Partner


def _month(day) -> str:
    return date_format(day, "F Y")


def _day(day) -> str:
    return date_format(day, "j F Y")


def sent_words(partner: Partner) -> str:
    """What the chart counts."""
    return _("Referrals") if partner.is_referring else _("Social prescriptions")


def engagement_chart(partner: Partner, figures: Figures, activities, *, many_sites: bool) -> Chart:
    """Bars of what the partner sent (or received) each month, and a lettered marker for each
    engagement activity in those months."""
    series = sent_words(partner)
    points = [
        Point(month=month, series=series, value=count) for month, count in figures.per_month.items()
    ]
    markers = []
    for activity in activities:
        label = activity.get_kind_display()
        if many_sites:
            label = _("%(activity)s (%(site)s)") % {"activity": label, "site": activity.site.name}
        markers.append(Marker(activity.happened_on, label))
    first, last = figures.months[0], figures.months[-1]
    shown = [a for a in activities if first <= a.happened_on]
    total = figures.total_charted
    if partner.is_referring:
        counted = ngettext(
            "%(name)s sent %(count)d referral to your sites from %(first)s to %(last)s.",
            "%(name)s sent %(count)d referrals to your sites from %(first)s to %(last)s.",
            total,
        )
    else:
        counted = ngettext(
            "%(name)s was sent %(count)d social prescription from your sites from %(first)s "
            "to %(last)s.",
            "%(name)s was sent %(count)d social prescriptions from your sites from %(first)s "
            "to %(last)s.",
            total,
        )
    summary = counted % {
        "name": partner.name,
        "count": total,
        "first": _month(first),
        "last": _month(last),
    }
    engaged = ngettext(
        "%(count)d engagement activity is marked on the same months.",
        "%(count)d engagement activities are marked on the same months.",
        len(shown),
    ) % {"count": len(shown)}
    return time_chart(
        title=_("%(what)s per month, with engagement") % {"what": series},
        summary=f"{summary} {engaged}",
        points=points,
        y_title=series,
        month_title=_("Month"),
        markers=markers,
        kind="bar",
        months=figures.months,
    )


def last_sent_words(partner: Partner, figures: Figures) -> str:
    """When the last one was sent, "12 March 2026 (40 days ago)", or that there has been none."""
    if figures.last_at is None:
        if partner.is_referring:
            return _("No referrals yet")
        return _("No social prescriptions yet")
    days = figures.days_since_last
    ago = ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}
    if days == 0:
        ago = _("today")
    return _("%(date)s (%(ago)s)") % {"date": _day(figures.last_at), "ago": ago}


def _filled(text: str, values: dict) -> SafeString:
    """A translated sentence with its placeholders filled, escaped except for values that are
    already markup (a link)."""
    return mark_safe(  # noqa: S308 - every part is escaped here
        conditional_escape(text)
        % {
            key: value if isinstance(value, int) else conditional_escape(value)
            for key, value in values.items()
        }
    )


def concentration_words(row: GPConcentration) -> SafeString:
    """How concentrated GP referrals are, as in "Llanidloes Health Centre sent 18 of 24 GP
    referrals (75%); 3 of 6 practices sent none", the practice's name a link to its page."""
    if row.silent:
        silent = _filled(
            ngettext(
                "%(silent)d of %(practices)d practice sent none.",
                "%(silent)d of %(practices)d practices sent none.",
                row.practices,
            ),
            {"silent": row.silent, "practices": row.practices},
        )
    else:
        silent = _filled(
            ngettext(
                "the %(practices)d practice sent at least one.",
                "each of the %(practices)d practices sent at least one.",
                row.practices,
            ),
            {"practices": row.practices},
        )
    if not row.total:
        return _filled(_("No GP referrals in the last 12 months."), {})
    name = format_html('<a class="govuk-link" href="{}">{}</a>', row.top_url, row.top_name)
    top = _filled(
        ngettext(
            "%(name)s sent %(count)d of %(total)d GP referral (%(share)d%%);",
            "%(name)s sent %(count)d of %(total)d GP referrals (%(share)d%%);",
            row.total,
        ),
        {"name": name, "count": row.top_count, "total": row.total, "share": row.share},
    )
    return format_html("{} {}", top, silent)
