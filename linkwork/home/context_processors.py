"""Template context every page needs: the service name and the navigation for the user's role."""

from django.conf import settings
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
    (_("Diary"), "casework:diary", Permission.VIEW_DIARY),
    (_("Caseloads"), "referrals:caseloads", Permission.VIEW_CASELOADS),
    (_("People in support"), "casework:people", Permission.VIEW_PEOPLE_IN_SUPPORT),
    (_("Safeguarding"), "safeguarding:open_escalations", Permission.VIEW_SAFEGUARDING_LIST),
    (_("Directory"), "directory:search", Permission.VIEW_DIRECTORY),
    (_("Partners"), "engagement:partners", Permission.VIEW_PARTNERS),
    (_("Messages"), "messaging:list", Permission.VIEW_REFERRER_MESSAGES),
    (_("Pathways"), "referrals:pathways", Permission.MANAGE_PATHWAYS),
    (_("Measures"), "outcomes:schedules", Permission.CONFIGURE_MEASURE_SCHEDULE),
    (_("Instruments"), "outcomes:instruments", Permission.CONFIGURE_INSTRUMENTS),
    (_("Trials"), "trials:list", Permission.VIEW_TRIALS),
    (_("Reports"), "reports:index", Permission.VIEW_DASHBOARDS),
    (_("Audit log"), "audit:log", Permission.VIEW_AUDIT_LOG),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "service_name": _("Linkwork")}
    path = request.path
    if path == reverse("two_factor_verify"):
        # Before the second factor, every page leads back here: offer none of them.
        return {"nav": [], "service_name": _("Linkwork")}
    items = [
        {"label": label, "url": reverse(url_name), "home": url_name == "home"}
        for label, url_name, perm in NAVIGATION
        if perm is None or has_permission(user, perm)
    ]
    # One item is current: Home on the home page only, otherwise the item whose address is the
    # longest start of the page's (the waiting list, /referrals/waiting-list/, also starts with
    # the referrals list's /referrals/).
    under = [item for item in items if not item["home"] and path.startswith(item["url"])]
    current = max(under, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is current or (item["home"] and path == item["url"])
    # The search box in the header, for staff, on every page but the search page itself.
    search_url = reverse("search")
    header_search = has_permission(user, Permission.SEARCH_PEOPLE) and path != search_url
    return {
        "nav": items,
        "service_name": _("Linkwork"),
        "header_search_url": search_url if header_search else "",
        # The inactivity warning's timing (`linkwork.core.sessions`).
        "idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
    }
