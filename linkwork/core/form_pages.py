"""The shape of every page with a form: show it; on a valid POST, do the action; if the action
refuses, show why on the form, with what was typed kept. A view then reads as what it does:

    form = posted(request, RiskFlagForm)

    def raise_it(data):
        flag = actions.raise_flag(referral, by=request.user, kind=data["kind"], note=data["note"])
        messages.success(request, _("Risk flag added"))
        return redirect(record_url(request.user, referral))

    return submit(request, form, raise_it) or render(request, "...", {"form": form})
"""

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.db import OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .errors import ActionRefused
from .idempotency import OUT_OF_DATE, StaleKey, replayed, run_once

logger = logging.getLogger(__name__)

NOT_SAVED = _(
    "This could not be saved just now, so nothing was saved. What you entered is still here: "
    "check it and try again."
)


def posted(request: HttpRequest, form_class: type[forms.BaseForm], **kwargs: Any):
    """The form, bound to what was posted (files included) on a POST, unbound otherwise."""
    if request.method != "POST":
        return form_class(**kwargs)
    if request.FILES:
        kwargs["files"] = request.FILES
    return form_class(request.POST, **kwargs)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    act: Callable[[dict], HttpResponse],
) -> HttpResponse | None:
    """On a POST whose form is valid, `act(form.cleaned_data)` and return its response (a
    redirect, usually). None otherwise, or when the action is refused or could not be saved
    (`attempt`): the caller renders the page again, with the errors and what was typed.

    A POST repeating one already saved (the same `{% submission_key %}`) is redirected to what
    the first made, before the form is checked (`core.idempotency`)."""
    if request.method != "POST":
        return None
    if response := replayed(request):
        return response
    if not form.is_valid():
        return None
    return attempt(form, lambda: act(form.cleaned_data), request=request)


def attempt(
    form: forms.BaseForm,
    act: Callable[[], HttpResponse],
    *,
    request: HttpRequest | None = None,
) -> HttpResponse | None:
    """`act()` in one transaction, and its response. None when it was refused (`ActionRefused`,
    shown on the form beside its field) or when the database could not save it just then (busy
    past its wait, or the connection lost): nothing is saved, the form says so, and the page is
    shown again with everything that was typed, to send again.

    Given the `request`, at most once per submission key (`core.idempotency.run_once`): a repeat
    is redirected to what the first one made."""
    try:
        if request is not None:
            return run_once(request, act)
        with transaction.atomic():
            return act()
    except StaleKey:
        form.add_error(None, OUT_OF_DATE)
    except ActionRefused as refusal:
        refusal.show_on(form)
    except OperationalError as error:
        # The error's class only: its message may quote the values being saved.
        logger.warning(
            "A save failed and was not made (%s); the form was shown again.", type(error).__name__
        )
        form.add_error(None, NOT_SAVED)
    return None
