"""Refused access: a signed-in user asked for a record about a person that they may not see,
or that does not exist, and was answered 404.

The lookups that find a page's record (`referrals.queries.referral_for` and the others in the
apps' `queries`) raise `Refused`, an `Http404` naming what was asked for: the kind of record,
the id, and whose record it is when it exists. `RefusedAccessMiddleware` writes the audit line
and lets Django answer with the same 404 page as for any address that does not exist: the
exception carries no message, and the 404 page shows none, so the user learns nothing about
whether the record exists. The line is written after the view's transaction (if any) has rolled
back, so it is kept.

Only signed-in users reach these lookups (staff pages send anyone else to sign in first).
"""

from __future__ import annotations

from django.db import models
from django.http import Http404

from linkwork.accounts.permissions import Permission, ask_for_a_reason, has_permission
from linkwork.core.params import parse_id

from .service import record_refused


class Refused(Http404):
    """A 404 for a record the user asked for and may not see (or that does not exist)."""

    def __init__(self, object_type: str, object_id: object, person_id: int | None = None):
        super().__init__()  # no message: the page must not say what was asked for
        self.object_type = object_type
        self.object_id = str(object_id)
        self.person_id = person_id

    def naming(self, obj: models.Model) -> Refused:
        """The same refusal (same person), naming `obj` instead: what the page asked for,
        when it was reached through another record."""
        return Refused(obj._meta.label_lower, obj.pk, self.person_id)


def refusal(model: type[models.Model], pk: object, *, person: str | None) -> Refused:
    """The refusal of `model` `pk`, with its person's id (found through the lookup `person`,
    such as "referral__person_id") when the record exists."""
    person_id = None
    if person is not None and (found := parse_id(pk)) is not None:
        person_id = model._base_manager.filter(pk=found).values_list(person, flat=True).first()
    return Refused(model._meta.label_lower, pk, person_id)


def visible_or_404(queryset: models.QuerySet, *, pk: object, person: str | None, **lookup):
    """`queryset.get(pk=pk, **lookup)`, from a queryset already narrowed to what the user may
    see; otherwise a refusal of `pk`, naming its person if it exists at all (a 404)."""
    try:
        return queryset.get(pk=pk, **lookup)
    except queryset.model.DoesNotExist:
        raise refusal(queryset.model, pk, person=person) from None


def require_or_refuse(
    user, permission: Permission, obj: models.Model, *, person_id: int | None, asked_for=None
) -> None:
    """`accounts.permissions.require` with an object: without `permission` on `obj`, a refusal
    of `asked_for` (the record the page is about; `obj` unless given)."""
    if not has_permission(user, permission, obj):
        # A referral the coordinator may open after saying why is not a refusal (decision 0023).
        ask_for_a_reason(user, permission, obj)
        asked_for = obj if asked_for is None else asked_for
        raise Refused(asked_for._meta.label_lower, asked_for.pk, person_id)


class RefusedAccessMiddleware:
    """Writes the audit line for a `Refused` raised by a view; the response is Django's 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        user = getattr(request, "user", None)
        if isinstance(exception, Refused) and user is not None and user.is_authenticated:
            record_refused(
                by=user,
                object_type=exception.object_type,
                object_id=exception.object_id,
                person_id=exception.person_id,
            )
        return None  # Django answers the 404 as for any other
