"""Which stratum a person is randomised in: their site, crossed with any other factors the
trial stratifies by, as recorded at referral."""

import itertools

from django.utils.translation import gettext as _

from linkwork.partners.models import Site, SourceType
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


def describe(key: str, site_names: dict[int, str]) -> str:
    """A stratum, in words, in the language of the page: "Rhondda Valleys · Priority: Urgent".
    Worked out from its key each time (never stored), so each reader sees it in their own
    language."""
    site, *values = (part.split("=", 1) for part in key.split("|"))
    parts = [site_names.get(int(site[1]), "")]
    parts += [f"{F(factor).label}: {_label(factor, value)}" for factor, value in values]
    return " · ".join(str(part) for part in parts)


def labels(strata) -> dict[int, str]:
    """Each stratum's words, by pk, with one query for the sites' names."""
    strata = list(strata)
    site_ids = {int(s.key.split("|", 1)[0].split("=", 1)[1]) for s in strata}
    names = dict(Site.objects.filter(pk__in=site_ids).values_list("pk", "name"))
    return {s.pk: describe(s.key, names) for s in strata}


def label(stratum) -> str:
    return labels([stratum])[stratum.pk] if stratum is not None else ""


def stratum_of(trial: Trial, referral: Referral) -> str:
    """The key of the stratum this person is randomised in."""
    values = [(factor, _value(factor, referral)) for factor in trial.stratify_by]
    return _key(referral.site, values)


def strata_at_opening(trial: Trial) -> list[str]:
    """The keys of every stratum people can fall in when the trial opens."""
    strata = []
    for site in trial.sites.order_by("name"):
        levels = [
            [(factor, value) for value, _label in _levels(trial, factor, site)]
            for factor in trial.stratify_by
        ]
        for combination in itertools.product(*levels):
            strata.append(_key(site, list(combination)))
    return strata
