"""What the outcome pages show about a measure, worked out once, outside views and templates:
scores as reported, differences, bands, subscores and flags in words, and the tag colour of a
reliable-change verdict."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from linkwork.accounts.permissions import has_permission

from .instruments import InstrumentError
from .models import Timepoint

SUBSCORE_LABELS = {
    "life_satisfaction": _("Life satisfaction"),
    "worthwhile": _("Worthwhile"),
    "happy": _("Happiness yesterday"),
    "anxious": _("Anxiety yesterday"),
}
FLAG_LABELS = {
    "phq9_item9": _(
        "Item 9 answered above “not at all”: thoughts of being better off dead or of self-harm"
    ),
    "lonely": _("Lonely"),
}
DIRECTION_TAGS = {
    "improved": "govuk-tag--green",
    "deteriorated": "govuk-tag--red",
    "no_reliable_change": "govuk-tag--grey",
}
COLUMNS = (Timepoint.BASELINE, Timepoint.END, Timepoint.FOLLOW_UP)


def format_score(code: str, value) -> str:
    """A score as reported: SWEMWBS metric scores with two decimals, others whole numbers."""
    if value is None:
        return ""
    if code == "swemwbs":
        return f"{Decimal(value):.2f}"
    return str(int(value))


def format_difference(code: str, value) -> str:
    if value is None:
        return ""
    if code == "swemwbs":
        return f"{Decimal(value):+.2f}"
    return f"{int(value):+d}"


@dataclass
class MeasureSummary:
    """One measure in words: what the pages show about it."""

    score: str = ""
    raw: int | None = None
    band_label: object = None
    subscores: list = field(default_factory=list)  # (label, value, band label)
    flags: list = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.score:
            return self.score
        return ", ".join(f"{label} {value}" for label, value, _band in self.subscores)


def describe(measure) -> MeasureSummary:
    instrument = measure.definition
    summary = MeasureSummary(score=format_score(instrument.code, measure.total))
    if instrument.code == "swemwbs":
        summary.raw = measure.raw
    try:
        scored = instrument.score(list(measure.answers))
    except InstrumentError:
        scored = None
    if scored is not None:
        summary.band_label = scored.band_label
        summary.subscores = [
            (SUBSCORE_LABELS.get(code, code), sub.value, sub.band_label)
            for code, sub in scored.subscores.items()
        ]
    summary.flags = [FLAG_LABELS.get(flag, flag) for flag, on in measure.flags.items() if on]
    return summary


def may(user, perm, referral) -> bool:
    return user is not None and has_permission(user, perm, referral)
