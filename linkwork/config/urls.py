from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from linkwork.core import views as core_views
from linkwork.home.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="core/sign_in.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works before signing in too (public self-referral form).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("linkwork.referrals.urls")),
    path("audit/", include("linkwork.audit.urls")),
    path("", include("linkwork.casework.urls")),
    path("", include("linkwork.prescriptions.urls")),
    # The ORUK imports pages (/directory/imports/) and the published API (/api/oruk/).
    path("", include("linkwork.oruk.urls")),
    path("directory/", include("linkwork.directory.urls")),
    path("unmet-needs/", include("linkwork.unmet.urls")),
    path("", include("linkwork.messaging.urls")),
    path("", include("linkwork.outcomes.urls")),
    path("safeguarding/", include("linkwork.safeguarding.urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "linkwork.core.views.not_found"
handler403 = "linkwork.core.views.forbidden"
handler500 = "linkwork.core.views.server_error"
