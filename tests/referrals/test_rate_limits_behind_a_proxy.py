"""The self-referral limit counts each visitor, not the proxy in front of the service, and, with
Redis configured as production requires, one count is shared by every web process."""

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from linkwork.referrals.models import Referral
from tests.referrals.test_referral_journey import self_referral_form

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/9"
PROXY = {"REMOTE_ADDR": "10.0.0.1"}


def send(client, site, **extra):
    url = reverse("referrals:self_referral", args=[site.slug])
    return client.post(url, self_referral_form(given_name=""), **extra).status_code


@override_settings(TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_the_proxy_one_visitor_cannot_use_up_everyone_elses_limit(
    site_b, self_referral_pathway_b
):
    client = Client(**PROXY)
    for _ in range(5):
        assert send(client, site_b, HTTP_X_FORWARDED_FOR="203.0.113.9") == 200
    assert send(client, site_b, HTTP_X_FORWARDED_FOR="203.0.113.9") == 429
    # Someone else, through the same proxy, is counted on their own.
    assert send(client, site_b, HTTP_X_FORWARDED_FOR="198.51.100.20") == 200


def test_without_a_trusted_proxy_the_header_changes_nothing(site_b, self_referral_pathway_b):
    client = Client(**PROXY)
    for n in range(5):
        send(client, site_b, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert send(client, site_b, HTTP_X_FORWARDED_FOR="198.51.100.20") == 429
    assert not Referral.objects.exists()


def _redis_or_skip():
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (as on the project's machines)")
    return server


def test_with_redis_every_web_process_shares_the_count(site_b, self_referral_pathway_b):
    server = _redis_or_skip()
    server.flushdb()
    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}  # fmt: skip
    try:
        with override_settings(CACHES=shared):
            cache.close()
            client = Client(REMOTE_ADDR="203.0.113.50")
            for _ in range(5):
                assert send(client, site_b) == 200
            # The count is in Redis, where another process (here, a connection of its own)
            # reads it: the next request, from any process, is refused.
            counts = [int(server.get(key)) for key in server.keys("*rl:*")]
            assert counts == [5]
            assert send(client, site_b) == 429
    finally:
        server.flushdb()
        cache.close()
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
