"""Whose figures a reader sees, and how exactly.

- A **manager** sees the sites they manage, with every count exact, and may follow a figure to
  the people behind it.
- A **link coordinator** sees the figures of their own caseload only (everyone ever allocated to
  them), exact, and may follow a figure to those people.
- The **research roles** (researcher, trial manager) see every site, with counts of 1 to 4
  suppressed ("fewer than 5"), and never a name.

Anything that leaves the service (the CSV and JSON twins, the funder report) is suppressed
whoever asks for it: `Scope.for_export()`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from linkwork.accounts.models import Role
from linkwork.accounts.permissions import Permission, require
from linkwork.partners.models import Site

# Counts below this (and above 0) are suppressed where suppression applies.
SMALL_NUMBER = 5


@dataclass(frozen=True)
class Scope:
    sites: tuple[Site, ...]
    coordinator: object | None  # a coordinator's own caseload only; None: whole sites
    exact: bool  # small numbers shown as they are
    names: bool  # may follow figures to the records behind them, by name
    # The sites are every site there is: the reports then read whole tables instead of
    # joining each to the referrals of these sites (`data.of_scope`).
    every_site: bool = False

    @property
    def site_ids(self) -> list[int]:
        return [site.pk for site in self.sites]

    @property
    def is_research(self) -> bool:
        return not self.names

    def for_export(self) -> Scope:
        """The same figures, for something that leaves the service: suppressed, no links."""
        return replace(self, exact=False, names=False)


def scope_for(user) -> Scope:
    """The reader's scope; 403 for a role with no dashboards."""
    require(user, Permission.VIEW_DASHBOARDS)
    if user.role == Role.MANAGER:
        return sites_scope(user.sites.order_by("name"), exact=True, names=True)
    if user.role == Role.COORDINATOR:
        return Scope(tuple(user.sites.order_by("name")), user, exact=True, names=True)
    return sites_scope(Site.objects.order_by("name"), exact=False, names=False)


def sites_scope(sites, *, exact: bool, names: bool) -> Scope:
    """Whole sites' figures, noting whether they are every site there is."""
    sites = tuple(sites)
    every = len(sites) == Site.objects.count()
    return Scope(sites, None, exact=exact, names=names, every_site=every)
