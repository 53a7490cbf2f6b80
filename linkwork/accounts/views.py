"""The signed-in user's own account: how long a sign-in lasts, and signing out everywhere."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import actions
from .forms import ChangeOwnPasswordForm


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "idle_minutes": settings.SESSION_IDLE_MINUTES,
            "hours": round(settings.SESSION_COOKIE_AGE / 3600),
        },
    )


@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    actions.sign_out_everywhere(request.user, request=request)
    logout(request)
    return redirect(f"{reverse('login')}?ended=you")


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" on the inactivity warning: the request itself counts as activity
    (`core.sessions`), so there is nothing more to do."""
    return HttpResponse(status=204)


class ChangePassword(PasswordChangeView):
    """Change one's own password (also where a password an administrator set must be changed:
    `core.sessions` sends its owner here first)."""

    form_class = ChangeOwnPasswordForm
    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
