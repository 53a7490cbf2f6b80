"""Every absolute link comes from one place (`core.links`): the configured address when there is
one; in development, the address the page was requested at (not always port 8000)."""

from django.test import RequestFactory

from linkwork.core.links import DEVELOPMENT_ADDRESS, absolute_url


def test_the_configured_address_is_used_whatever_the_request(settings):
    settings.SITE_URL = "https://linkwork.example.org/"
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.5:8080")
    assert absolute_url("/casework/", request) == "https://linkwork.example.org/casework/"
    assert absolute_url("/casework/") == "https://linkwork.example.org/casework/"


def test_without_one_a_page_uses_the_address_it_was_requested_at(settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["192.168.1.20"]
    request = RequestFactory().get("/", HTTP_HOST="192.168.1.20:8080")
    assert absolute_url("/measures/x/", request) == "http://192.168.1.20:8080/measures/x/"
    # Outside a request (the worker's emails), the development server's address.
    assert absolute_url("/measures/x/") == DEVELOPMENT_ADDRESS + "/measures/x/"
