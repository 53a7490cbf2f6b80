"""Passwords: at least 12 characters, not common, not made from the service's or a site's name;
changed by their owner on their own page; one an administrator sets must be changed by its
owner before anything else."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from linkwork.audit.models import AuditAction, AuditEvent
from linkwork.partners.models import Site

pytestmark = pytest.mark.django_db

GOOD = "kettle orchard lantern 42"


@pytest.mark.parametrize(
    "password",
    ["linkwork", "Linkwork1", "Powys2024", "short", "LINKWORK-2026!", "rhonddavalleys12"],
)
def test_weak_and_service_passwords_are_refused(password, coordinator_a):
    Site.objects.get_or_create(slug="powys", defaults={"name": "Powys Rural"})
    Site.objects.get_or_create(slug="rhondda", defaults={"name": "Rhondda Valleys"})
    with pytest.raises(ValidationError):
        validate_password(password, coordinator_a)


def test_a_long_passphrase_is_accepted(coordinator_a):
    validate_password(GOOD, coordinator_a)


def test_changing_ones_own_password_keeps_what_was_typed_and_is_audited(coordinator_a):
    coordinator_a.set_password("the old one, long enough")
    coordinator_a.save()
    client = Client()
    client.force_login(coordinator_a)
    url = reverse("password_change")
    refused = client.post(
        url,
        {
            "old_password": "the old one, long enough",
            "new_password1": "Powys2024",
            "new_password2": "Powys2024",
        },
    )
    assert refused.status_code == 200
    assert "does not rely on the name of the service" in refused.content.decode()

    done = client.post(
        url,
        {
            "old_password": "the old one, long enough",
            "new_password1": GOOD,
            "new_password2": GOOD,
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("account")
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(GOOD)
    # Still signed in on this device after the change.
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="accounts.user")
    assert event.fields == ["password"] and event.user == coordinator_a


def test_a_password_an_administrator_sets_must_be_changed_first(coordinator_a, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[coordinator_a.pk]),
        {"password1": "set by the administrator", "password2": "set by the administrator"},
    )
    assert response.status_code == 302
    coordinator_a.refresh_from_db()
    assert coordinator_a.must_change_password

    client = Client()
    signed_in = client.post(
        reverse("login"),
        {"username": coordinator_a.username, "password": "set by the administrator"},
    )
    assert signed_in.status_code == 302
    # Every page leads to changing the password, until it is changed.
    for name in ("home", "referrals:my_caseload", "account"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "Your password was set by an administrator" in page
    client.post(
        reverse("password_change"),
        {
            "old_password": "set by the administrator",
            "new_password1": GOOD,
            "new_password2": GOOD,
        },
    )
    coordinator_a.refresh_from_db()
    assert not coordinator_a.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_an_account_an_administrator_adds_must_change_its_password(administrator, site_a):
    from linkwork.accounts.models import User

    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin = Client()
    admin.force_login(administrator)
    url = reverse("admin:accounts_user_add")
    assert admin.get(url).status_code == 200
    response = admin.post(
        url,
        {
            "username": "newcoordinator",
            "password1": "set by the administrator",
            "password2": "set by the administrator",
            "usable_password": "true",
            "role": "coordinator",
            "sites": [site_a.pk],
            "caseload_cap": "15",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="newcoordinator").must_change_password
