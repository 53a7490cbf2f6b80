"""TEMPORARY stubs, replaced by the real pages (work in progress)."""

from django.http import Http404


def measure(request, *args, **kwargs):
    raise Http404


def measure_thanks(request, *args, **kwargs):
    raise Http404
