"""Linkwork's URLs and `/bench/bare`: a view through the whole middleware stack that reads
nothing and renders nothing, the ceiling every page's throughput is measured against."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from linkwork.config.urls import urlpatterns as linkwork_urls


@login_not_required
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *linkwork_urls]

handler404 = "linkwork.core.views.not_found"
handler403 = "linkwork.core.views.forbidden"
handler500 = "linkwork.core.views.server_error"
