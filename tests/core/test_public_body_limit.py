"""What may be posted to the pages people open without an account (issue 15): the self-referral
form took a megabyte of address and another of needs. Above PUBLIC_FORM_MAX_BYTES (64 KB) a
public form answers 413, with a page saying nothing was saved, before it reads the form."""

import pytest
from django.urls import reverse

from linkwork.core.limits import DEFAULT_PUBLIC_FORM_MAX_BYTES
from linkwork.referrals.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_forms(self_referral_pathway_b, site_b):
    bogus = "not-a-real-link-value-but-long-enough"
    return [
        reverse("referrals:self_referral", args=[site_b.slug]),
        reverse("casework:public_feedback", args=[bogus]),
        reverse("outcomes:public_measure", args=[bogus]),
        reverse("prescriptions:service_link", args=[bogus]),
    ]


def test_every_public_form_refuses_a_body_over_the_limit(client, public_forms):
    for url in public_forms:
        response = client.post(url, {"what_helped": "x" * (DEFAULT_PUBLIC_FORM_MAX_BYTES + 1)})

        assert response.status_code == 413, url
        content = response.content.decode()
        assert "What you sent was too large" in content
        assert "govuk-heading-l" in content  # the service's own page, like the other errors
    assert Person.objects.count() == 0


def test_a_body_within_the_limit_reaches_the_form(client, public_forms):
    for url in public_forms:
        response = client.post(url, {"what_helped": "x" * 1000})
        assert response.status_code != 413, url


def test_the_limit_can_be_set(client, settings, public_forms):
    settings.PUBLIC_FORM_MAX_BYTES = 2000
    assert client.post(public_forms[0], {"needs_detail": "x" * 3000}).status_code == 413


def test_the_too_large_page_is_in_welsh_for_a_welsh_reader(client, public_forms):
    client.cookies["django_language"] = "cy"
    response = client.post(public_forms[0], {"address": "x" * 100_000})
    assert response.status_code == 413
    assert 'lang="cy"' in response.content.decode()
