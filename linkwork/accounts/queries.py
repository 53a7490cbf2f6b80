"""What a signed-in user's role and sites let them see, before any personal data is involved,
and the second factors they have set up."""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Exists, QuerySet
from django.shortcuts import get_object_or_404
from django_otp import device_classes
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from linkwork.partners.models import Site

from .models import Role
from .permissions import Permission, require


def sites_for(user) -> QuerySet[Site]:
    """The sites a user works at: their own for staff, every site for administrators."""
    if user.role in (Role.COORDINATOR, Role.MANAGER):
        return user.sites.all()
    if user.role == Role.ADMINISTRATOR:
        return Site.objects.all()
    return Site.objects.none()


def site_for(user, pk: int, permission: Permission) -> Site:
    """The site `pk`, for a page about it that needs `permission` there: 404 if there is no such
    site or the user lacks the permission on it (`require` with an object never says 403)."""
    site = get_object_or_404(Site, pk=pk)
    require(user, permission, site)
    return site


def authenticator_for(user) -> TOTPDevice | None:
    """The user's authenticator app, once set up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_for(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def passkeys_for(user) -> QuerySet[WebAuthnCredential]:
    """The user's passkeys, oldest first (decision 0025)."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def passkey_for(user, pk: int) -> WebAuthnCredential:
    """One of the user's own passkeys: 404 for anyone else's, or none."""
    return get_object_or_404(WebAuthnCredential, pk=pk, user=user)


def second_factors(user) -> list:
    """Every confirmed second factor the user gives a code from: their authenticator, their
    recovery codes (not passkeys, which answer a challenge instead)."""
    return [device for device in (authenticator_for(user), recovery_codes_for(user)) if device]


def has_second_factor(user) -> bool:
    """Whether the user has any second factor to give (an authenticator, recovery codes, a
    passkey, or any other kind of django-otp device installed). Asked on every page by someone
    not yet verified (`two_factor.SecondFactorMiddleware`), so in one query however many kinds
    there are, where django-otp's `user_has_device` asks each kind in turn."""
    if user.is_anonymous:
        return False
    kinds = [
        Exists(model.objects.devices_for_user(user, confirmed=True)) for model in device_classes()
    ]
    return get_user_model().objects.filter(reduce(or_, kinds), pk=user.pk).exists()
