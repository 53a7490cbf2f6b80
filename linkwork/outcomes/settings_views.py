"""TEMPORARY stubs, replaced by the real pages (work in progress)."""

from django.http import Http404


def instruments(request, *args, **kwargs):
    raise Http404


def instrument(request, *args, **kwargs):
    raise Http404


def schedules(request, *args, **kwargs):
    raise Http404


def site_schedule(request, *args, **kwargs):
    raise Http404
