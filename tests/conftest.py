"""The named cast shared by every test: two sites, their staff, two GP practices and their
referrers, and the people who should see nothing (a researcher, an outsider).

    site_a: coordinator_a, manager (site A only), manager_both
    site_b: coordinator_b, manager_b (site B only), manager_both
    gp_practice: gp_referrer; may refer through pathway_a and pathway_b
    other_practice: other_referrer; may refer through pathway_a only
    researcher, administrator: no sites
    outsider: an active link coordinator with no site
"""

import datetime
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client
from django.utils import translation

from linkwork.audit import guard
from linkwork.partners.models import Site, SourceType
from linkwork.referrals.status import ReferralStatus
from tests.factories import (
    AdministratorFactory,
    CoordinatorFactory,
    ManagerFactory,
    OrganisationFactory,
    PathwayFactory,
    ReferrerFactory,
    ResearcherFactory,
    SiteFactory,
    make_referral,
)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_append_only_triggers():
    """Tests that commit (`transaction=True`, the live server) are cleaned up by Django's flush:
    TRUNCATE on PostgreSQL, DELETE on SQLite, both of which the append-only tables refuse. The
    test suite owns its database, so its flush suspends the guard for that one transaction
    (`guard.suspended`); the application's own flush stays refused."""
    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with guard.suspended(using=self.connection.alias):
            flush(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids and dates repeat between tests, so an entry
    one test left could answer for another's data."""
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A Welsh request switches the thread's language; don't let it leak into the next test."""
    yield
    translation.activate("en-gb")


# --- Sites and partners -------------------------------------------------------------------------


@pytest.fixture
def site_a(db):
    return SiteFactory(
        name="Powys Rural",
        slug="powys",
        health_board="Powys Teaching Health Board",
        setting=Site.Setting.RURAL,
    )


@pytest.fixture
def site_b(db):
    return SiteFactory(
        name="Rhondda Valleys",
        slug="rhondda",
        health_board="Cwm Taf Morgannwg University Health Board",
        setting=Site.Setting.VALLEYS,
    )


@pytest.fixture
def gp_practice(db):
    return OrganisationFactory(name="Llanidloes Health Centre", code="W91001")


@pytest.fixture
def other_practice(db):
    return OrganisationFactory(name="Treorchy Health Centre", code="W93001")


# --- Pathways ----------------------------------------------------------------------------------


@pytest.fixture
def pathway_a(site_a):
    """Site A's GP pathway, open to every GP practice."""
    return PathwayFactory(
        site=site_a, name="GP practices", source_type=SourceType.GP_PRACTICE, organisations=[]
    )


@pytest.fixture
def pathway_b(site_b, gp_practice):
    """Site B's GP pathway, open to `gp_practice` only."""
    return PathwayFactory(
        site=site_b,
        name="GP practices",
        source_type=SourceType.GP_PRACTICE,
        organisations=[gp_practice],
    )


@pytest.fixture
def closed_pathway_a(site_a):
    """A frequent-attenders GP pathway at site A that closed last year."""
    return PathwayFactory(
        site=site_a,
        name="GP practices (frequent attenders)",
        source_type=SourceType.GP_PRACTICE,
        opens_on=datetime.date(2023, 1, 1),
        closes_on=datetime.date(2024, 1, 1),
        frequent_attender_required=True,
    )


@pytest.fixture
def self_referral_pathway_b(site_b):
    """Site B takes self-referrals; site A does not."""
    return PathwayFactory(site=site_b, name="Self-referral", source_type=SourceType.SELF_REFERRAL)


# --- People ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator_a(site_a):
    return CoordinatorFactory(
        username="coordinator_a", first_name="Gareth", last_name="Price", sites=[site_a]
    )


@pytest.fixture
def coordinator_b(site_b):
    return CoordinatorFactory(
        username="coordinator_b", first_name="Ffion", last_name="Davies", sites=[site_b]
    )


@pytest.fixture
def manager(site_a):
    """Manages site A only."""
    return ManagerFactory(username="manager", first_name="Sian", last_name="Morgan", sites=[site_a])


@pytest.fixture
def manager_b(site_b):
    """Manages site B only."""
    return ManagerFactory(
        username="manager_b", first_name="Rhodri", last_name="Evans", sites=[site_b]
    )


@pytest.fixture
def manager_both(site_a, site_b):
    return ManagerFactory(
        username="manager_both", first_name="Helen", last_name="Pugh", sites=[site_a, site_b]
    )


@pytest.fixture
def gp_referrer(gp_practice):
    return ReferrerFactory(
        username="gp_referrer", first_name="Alun", last_name="Hughes", organisation=gp_practice
    )


@pytest.fixture
def other_referrer(other_practice):
    return ReferrerFactory(
        username="other_referrer",
        first_name="Rhian",
        last_name="Jenkins",
        organisation=other_practice,
    )


@pytest.fixture
def researcher(db):
    return ResearcherFactory(username="researcher", first_name="Catrin", last_name="Lloyd")


@pytest.fixture
def administrator(db):
    return AdministratorFactory(username="administrator", first_name="Owain", last_name="Thomas")


@pytest.fixture
def outsider(db):
    """An active link coordinator who works at no site: should see nothing."""
    return CoordinatorFactory(username="outsider", first_name="Dai", last_name="Outsider")


# --- Clients -----------------------------------------------------------------------------------


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client signed in as that user."""

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def in_support(pathway_a, gp_referrer, manager, coordinator_a):
    """Someone on coordinator_a's caseload (site A), allocated by `manager`."""
    return make_referral(
        ReferralStatus.ALLOCATED,
        pathway=pathway_a,
        by=gp_referrer,
        staff=manager,
        coordinator=coordinator_a,
    )


@pytest.fixture
def waiting(pathway_a, gp_referrer, manager):
    """Someone on site A's waiting list."""
    return make_referral(ReferralStatus.WAITING, pathway=pathway_a, by=gp_referrer, staff=manager)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run `func(*args, **kwargs)` and then what it left for after the commit (queued email,
    for instance), as if its transaction had committed. Returns what `func` returned."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


# --- Browser tests ------------------------------------------------------------------------------
#
# Playwright in Debian's Chromium, one browser for the whole run (browser tests live in
# tests/system and beside some apps' permission matrices). They skip, saying why, where
# /usr/bin/chromium is missing, except when LINKWORK_REQUIRE_BROWSER is set (as in CI), where a
# missing browser is a failure.

CHROMIUM = Path(os.environ.get("LINKWORK_CHROMIUM", "/usr/bin/chromium"))


def _browser_missing_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("LINKWORK_REQUIRE_BROWSER"):
            pytest.fail(f"Browser tests are required here: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # are ordinary synchronous code, so let Django allow them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()
