"""Template context every page needs: the service name and the navigation for the user's role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linkwork.accounts.permissions import Permission, has_permission

# (label, url name, permission needed)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Make a referral"), "referrals:refer", Permission.REFER),
    (_("Referrals"), "referrals:list", Permission.VIEW_REFERRALS),
    (_("Waiting list"), "referrals:waiting_list", Permission.VIEW_WAITING_LIST),
    (_("My caseload"), "referrals:my_caseload", Permission.VIEW_OWN_CASELOAD),
    (_("Caseloads"), "referrals:caseloads", Permission.VIEW_CASELOADS),
    (_("People in support"), "casework:people", Permission.VIEW_PEOPLE_IN_SUPPORT),
    (_("Safeguarding"), "safeguarding:open_escalations", Permission.VIEW_SAFEGUARDING_LIST),
    (_("Directory"), "directory:search", Permission.VIEW_DIRECTORY),
    (_("Messages"), "messaging:list", Permission.VIEW_REFERRER_MESSAGES),
    (_("Pathways"), "referrals:pathways", Permission.MANAGE_PATHWAYS),
    (_("Measures"), "outcomes:schedules", Permission.CONFIGURE_MEASURE_SCHEDULE),
    (_("Instruments"), "outcomes:instruments", Permission.CONFIGURE_INSTRUMENTS),
    (_("Audit log"), "audit:log", Permission.VIEW_AUDIT_LOG),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "service_name": _("Linkwork")}
    path = request.path
    items = []
    for label, url_name, perm in NAVIGATION:
        if perm is not None and not has_permission(user, perm):
            continue
        url = reverse(url_name)
        active = path == url if url_name == "home" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav": items, "service_name": _("Linkwork")}
