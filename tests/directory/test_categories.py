"""Directory categories have Welsh names, given by the managers who keep the directory, and read
in Welsh by people using Linkwork in Welsh: in results, on the service page, in the unmet needs
categories and in the search."""

import pytest
from django.urls import reverse
from django.utils import translation

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.directory.models import Taxonomy, TaxonomyTerm
from linkwork.unmet.areas import term_label
from tests.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def walking(site_a):
    taxonomy = Taxonomy.objects.create(name="Open Eligibility")
    parent = TaxonomyTerm.objects.create(name="Physical activity", taxonomy=taxonomy)
    term = TaxonomyTerm.objects.create(name="Walking groups", taxonomy=taxonomy, parent=parent)
    make_service(name="Llanidloes strollers", sites=[site_a], terms=[term])
    return term


def test_a_manager_names_an_imported_category_in_welsh_and_welsh_readers_see_it(
    client_for, manager, coordinator_a, walking
):
    client = client_for(manager)
    listing = client.get(reverse("directory:categories"))
    assert listing.status_code == 200
    rows = {term.name: term.service_count for term in listing.context["page"]}
    assert rows == {"Physical activity": 0, "Walking groups": 1}
    # Only the untranslated ones, when asked.
    assert len(client.get(reverse("directory:categories") + "?untranslated=1").context["page"]) == 2

    url = reverse("directory:category_edit", args=[walking.pk])
    form = client.get(url).content.decode()
    # An imported taxonomy's English name is the feed's: only the Welsh one is asked for.
    assert 'name="name_cy"' in form and 'name="name"' not in form
    response = client.post(url, {"name_cy": "Grwpiau cerdded", "name": "Strolling"})
    assert response.status_code == 302
    walking.refresh_from_db()
    assert (walking.name, walking.name_cy) == ("Walking groups", "Grwpiau cerdded")
    event = AuditEvent.objects.get(object_type="directory.taxonomyterm")
    assert (event.user, event.action, event.fields) == (manager, AuditAction.CHANGE, ["name_cy"])
    assert len(client.get(reverse("directory:categories") + "?untranslated=1").context["page"]) == 1

    with translation.override("cy"):
        assert walking.label == "Grwpiau cerdded"
        assert term_label(walking).endswith("Grwpiau cerdded")
    assert walking.label == "Walking groups"

    coordinator = client_for(coordinator_a)
    results = coordinator.get(reverse("directory:search"), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Grwpiau cerdded" in results.content.decode()
    english = coordinator.get(reverse("directory:search")).content.decode()
    assert "Walking groups" in english and "Grwpiau cerdded" not in english
    # Searching in Welsh finds the service by its category's Welsh name.
    found = coordinator.get(reverse("directory:search") + "?q=cerdded", HTTP_ACCEPT_LANGUAGE="cy")
    assert "Llanidloes strollers" in found.content.decode()


def test_a_local_category_can_be_renamed_in_english_too(client_for, manager):
    local = TaxonomyTerm.objects.create(name="Choirs")
    url = reverse("directory:category_edit", args=[local.pk])
    refused = client_for(manager).post(url, {"name": "", "name_cy": "Corau"})
    assert refused.status_code == 200
    assert "Enter the category&#x27;s name" in refused.content.decode()
    assert 'value="Corau"' in refused.content.decode()  # what was typed is kept
    client_for(manager).post(url, {"name": "Choirs and singing", "name_cy": "Corau"})
    local.refresh_from_db()
    assert (local.name, local.name_cy) == ("Choirs and singing", "Corau")


def test_only_those_who_keep_the_directory_may_name_categories(
    client_for, coordinator_a, gp_referrer, researcher, walking
):
    url = reverse("directory:category_edit", args=[walking.pk])
    for user in (coordinator_a, gp_referrer, researcher):
        client = client_for(user)
        assert client.get(reverse("directory:categories")).status_code == 403
        assert client.post(url, {"name_cy": "Ysbeilio"}).status_code == 403
    walking.refresh_from_db()
    assert walking.name_cy == ""
    assert client_for(coordinator_a).get(url + "x").status_code == 404
