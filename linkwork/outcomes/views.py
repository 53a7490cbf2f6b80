"""TEMPORARY stubs, replaced by the real pages (work in progress)."""

from django.http import Http404


def measures(request, *args, **kwargs):
    raise Http404


def record_measure(request, *args, **kwargs):
    raise Http404


def withdraw_measure(request, *args, **kwargs):
    raise Http404


def measure_link(request, *args, **kwargs):
    raise Http404


def revoke_measure_link(request, *args, **kwargs):
    raise Http404
