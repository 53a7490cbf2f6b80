"""Which stratum a person is randomised in: their site, crossed with any other factors the
trial stratifies by, as recorded at referral."""

import itertools

from django.utils.translation import gettext as _

from linkwork.partners.models import SourceType
from linkwork.referrals.models import Referral
from linkwork.referrals.status import Priority

from .models import StratificationFactor, Trial

F = StratificationFactor


def _levels(trial: Trial, factor: str, site) -> list[tuple[str, str]]:
    """A factor's levels (value, label) that people at the site can have."""
    if factor == F.FREQUENT_ATTENDER:
        return [("yes", _("yes")), ("no", _("no"))]
    if factor == F.PRIORITY:
        return [(value, str(label)) for value, label in Priority.choices]
    if factor == F.SOURCE_TYPE:
        types = sorted({p.source_type for p in trial.pathways.all() if p.site_id == site.pk})
        return [(value, str(SourceType(value).label)) for value in types]
    raise ValueError(factor)


def _value(factor: str, referral: Referral) -> str:
    if factor == F.FREQUENT_ATTENDER:
        return "yes" if referral.frequent_attender else "no"
    if factor == F.PRIORITY:
        return referral.priority
    if factor == F.SOURCE_TYPE:
        return referral.pathway.source_type
    raise ValueError(factor)


def _label(factor: str, value: str) -> str:
    if factor == F.FREQUENT_ATTENDER:
        return _("yes") if value == "yes" else _("no")
    if factor == F.PRIORITY:
        return str(Priority(value).label)
    return str(SourceType(value).label)


def _key(site, values: list[tuple[str, str]]) -> str:
    return "|".join([f"site={site.pk}", *(f"{factor}={value}" for factor, value in values)])


def _describe(site, values: list[tuple[str, str]]) -> str:
    parts = [site.name]
    parts += [f"{F(factor).label}: {_label(factor, value)}" for factor, value in values]
    return " · ".join(str(part) for part in parts)


def stratum_of(trial: Trial, referral: Referral) -> tuple[str, str]:
    """The stratum's key and label for this person."""
    values = [(factor, _value(factor, referral)) for factor in trial.stratify_by]
    return _key(referral.site, values), _describe(referral.site, values)


def strata_at_opening(trial: Trial) -> list[tuple[str, str]]:
    """Every stratum people can fall in when the trial opens."""
    strata = []
    for site in trial.sites.order_by("name"):
        levels = [
            [(factor, value) for value, _label in _levels(trial, factor, site)]
            for factor in trial.stratify_by
        ]
        for combination in itertools.product(*levels):
            values = list(combination)
            strata.append((_key(site, values), _describe(site, values)))
    return strata
