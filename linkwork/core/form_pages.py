"""The shape of every page with a form: show it; on a valid POST, do the action; if the action
refuses, show why on the form, with what was typed kept. A view then reads as what it does:

    form = posted(request, RiskFlagForm)

    def raise_it(data):
        flag = actions.raise_flag(referral, by=request.user, kind=data["kind"], note=data["note"])
        messages.success(request, _("Risk flag added"))
        return redirect(record_url(request.user, referral))

    return submit(request, form, raise_it) or render(request, "...", {"form": form})
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from .errors import ActionRefused


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
    redirect, usually). None otherwise, or when the action is refused (`ActionRefused`, shown on
    the form beside its field): the caller renders the page again, with the errors."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return act(form.cleaned_data)
    except ActionRefused as refusal:
        refusal.show_on(form)
        return None
