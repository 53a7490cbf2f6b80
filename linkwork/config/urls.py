"""The service's addresses. Each app is mounted once, here, under its own prefix, and its
`urls.py` is relative to it (decision 0011; the list is in docs/developer/architecture.md).
A page about one referral takes the referral's id and says so: `/<prefix>/referrals/<pk>/...`.

Outside the apps: the home page, sign-in and sign-out, the health check, the language switch,
Django admin, and the addresses pages had before (`moved.py`), which redirect to where they are.
`tests/config/test_urls.py` holds every app to its prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from linkwork.accounts import views as account_views
from linkwork.config import moved
from linkwork.core import views as core_views
from linkwork.home.search import search
from linkwork.home.views import home

urlpatterns = [
    path("", home, name="home"),
    path("search/", search, name="search"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="core/sign_in.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path(
        "account/sign-out-everywhere/",
        account_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("account/keep-alive/", account_views.keep_alive, name="keep_alive"),
    path("account/password/", account_views.ChangePassword.as_view(), name="password_change"),
    path("account/two-factor/", account_views.two_factor, name="two_factor"),
    path("account/two-factor/code/", account_views.two_factor_verify, name="two_factor_verify"),
    path(
        "account/two-factor/recovery-codes/",
        account_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("account/two-factor/remove/", account_views.remove_two_factor, name="two_factor_remove"),
    # Passkeys, a second factor beside the app (decision 0025): its pages and its API.
    path("account/passkeys/", include("linkwork.accounts.passkey_urls")),
    # A forgotten password, reset by email (no account needed to ask).
    path("account/password-reset/", account_views.ResetPassword.as_view(), name="password_reset"),
    path(
        "account/password-reset/sent/",
        account_views.ResetPasswordSent.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        account_views.ChooseNewPassword.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/done/",
        account_views.PasswordResetDone.as_view(),
        name="password_reset_complete",
    ),
    # The language switch works before signing in too (public self-referral form).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("referrals/", include("linkwork.referrals.urls")),
    path("casework/", include("linkwork.casework.urls")),
    path("prescriptions/", include("linkwork.prescriptions.urls")),
    path("measures/", include("linkwork.outcomes.urls")),
    path("safeguarding/", include("linkwork.safeguarding.urls")),
    path("messages/", include("linkwork.messaging.urls")),
    # ORUK answers under two prefixes, /directory/imports/ and /api/oruk/ (decision 0011).
    path("", include("linkwork.oruk.urls")),
    path("directory/", include("linkwork.directory.urls")),
    path("unmet-needs/", include("linkwork.unmet.urls")),
    path("audit/", include("linkwork.audit.urls")),
    path("trials/", include("linkwork.trials.urls")),
    path("reports/", include("linkwork.reports.urls")),
    path("partners/", include("linkwork.engagement.urls")),
    path("letters/", include("linkwork.letters.urls")),
    path("data-protection/", include("linkwork.subjects.urls")),
    path("django-admin/", admin.site.urls),
    # Last, so that no page can ever be shadowed by an old address.
    *moved.urlpatterns,
]

handler404 = "linkwork.core.views.not_found"
handler403 = "linkwork.core.views.forbidden"
handler500 = "linkwork.core.views.server_error"
