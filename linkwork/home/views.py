"""The home page: each role lands on what it needs first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.accounts.models import Role

from . import dashboards


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    builders = {
        Role.COORDINATOR: dashboards.coordinator_home,
        Role.MANAGER: dashboards.manager_home,
        Role.REFERRER: dashboards.referrer_home,
        Role.RESEARCHER: dashboards.research_home,
        Role.TRIAL_MANAGER: dashboards.research_home,
    }
    context = builders[user.role](user) if user.role in builders else {}
    template = "researcher" if user.role == Role.TRIAL_MANAGER else user.role
    return render(request, f"home/{template}.html", context)
