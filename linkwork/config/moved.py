"""Addresses pages had before each app got its own prefix (decision 0011), redirected for good.

Links in emails already sent (questionnaires, feedback, service links), the self-referral form
on posters and coordinators' bookmarks keep working. Each old prefix is rewritten to its new one,
keeping the rest of the path and the query string, so one rule covers a family of pages. The
redirect reveals nothing: the page it leads to checks who may see it.

Never give `/people/<number>/` a new meaning: old links there carry a *referral's* id.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import get_script_prefix, re_path
from django.utils.encoding import escape_uri_path

# (old, new): the old address is a regular expression over the path (no leading slash); the
# new one gets the old one's `pk` group for {pk}, and its `rest` group (the rest of the path)
# added at the end. The first that matches wins.
MOVED: list[tuple[str, str]] = [
    # referrals
    (r"refer/", "referrals/new/"),
    (r"waiting-list/", "referrals/waiting-list/"),
    (r"caseload/", "referrals/my-caseload/"),
    (r"caseloads/(?P<rest>.*)", "referrals/caseloads/"),
    (r"settings/pathways/(?P<rest>.*)", "referrals/settings/pathways/"),
    (r"self-referral/(?P<rest>.*)", "referrals/self-referral/"),
    # outcomes (a record's measures before the record itself)
    (r"people/(?P<pk>[0-9]+)/measures/(?P<rest>.*)", "measures/referrals/{pk}/"),
    (r"questionnaire/(?P<rest>.*)", "measures/questionnaire/"),
    (r"settings/instruments/(?P<rest>.*)", "measures/settings/instruments/"),
    (r"settings/measures/(?P<rest>.*)", "measures/settings/schedules/"),
    # casework: /people/<pk>/ took a referral's id
    (r"people/", "casework/"),
    (r"people/(?P<pk>[0-9]+)/(?P<rest>.*)", "casework/referrals/{pk}/"),
    (r"feedback/(?P<rest>.*)", "casework/feedback/"),
    # prescriptions
    (r"social-prescriptions/(?P<rest>.*)", "prescriptions/"),
    (
        r"referrals/(?P<pk>[0-9]+)/social-prescriptions/(?P<rest>.*)",
        "prescriptions/referrals/{pk}/",
    ),
    (r"service-links/(?P<rest>.*)", "prescriptions/service-links/"),
    # subjects: subject access joined the record of processing under /data-protection/
    (r"subject-access/(?P<rest>.*)", "data-protection/subject-access/"),
]


@login_not_required  # the page it leads to checks who may see it
def moved(request: HttpRequest, *, to: str, pk: str = "", rest: str = "") -> HttpResponse:
    """301 to the new address; 308 for a POST (a form left open when the address moved), so
    the browser sends it again to the new address rather than dropping it."""
    url = escape_uri_path(get_script_prefix() + to.format(pk=pk) + rest)
    if query := request.META.get("QUERY_STRING"):
        url += "?" + query
    response = HttpResponsePermanentRedirect(url)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response


urlpatterns = [re_path(rf"^{old}\Z", moved, {"to": new}) for old, new in MOVED]
