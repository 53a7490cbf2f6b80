"""TEMPORARY stubs, replaced by the real pages (work in progress)."""

from django.http import Http404


def open_escalations(request, *args, **kwargs):
    raise Http404


def person(request, *args, **kwargs):
    raise Http404


def raise_flag(request, *args, **kwargs):
    raise Http404


def end_flag(request, *args, **kwargs):
    raise Http404


def raise_concern(request, *args, **kwargs):
    raise Http404


def concern(request, *args, **kwargs):
    raise Http404


def escalate(request, *args, **kwargs):
    raise Http404


def close_concern(request, *args, **kwargs):
    raise Http404


def chase(request, *args, **kwargs):
    raise Http404


def record_response(request, *args, **kwargs):
    raise Http404


def prompt(request, *args, **kwargs):
    raise Http404
