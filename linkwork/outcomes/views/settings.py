"""Settings for outcome measures: which instruments this service uses (administrators; the
licensed ones only once registration is confirmed) and the reliability and SD used for reliable
change; and, per site, which are due when (its managers)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import site_for, sites_for
from linkwork.core.form_pages import submit

from .. import actions
from ..forms import (
    SCHEDULED_TIMEPOINTS,
    InstrumentSettingForm,
    SiteScheduleForm,
    schedule_field_name,
)
from ..instruments import InstrumentError, all_instruments, get_instrument
from ..models import DEFAULT_FOLLOW_UP_MONTHS, Timepoint
from ..queries import (
    configured_instruments,
    follow_up_months_at,
    instrument_setting,
    scheduled_instruments,
)


def _instrument_row(instrument, setting) -> dict:
    reliability, sd = actions.change_parameters(instrument, setting)
    return {
        "instrument": instrument,
        "setting": setting,
        "enabled": actions.is_enabled(instrument, setting),
        "reliability": reliability,
        "sd": sd,
        "reliability_local": setting is not None and setting.reliability is not None,
        "sd_local": setting is not None and setting.sd is not None,
    }


def instruments(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.CONFIGURE_INSTRUMENTS)
    by_code = configured_instruments()
    rows = [_instrument_row(i, by_code.get(i.code)) for i in all_instruments()]
    return render(request, "outcomes/settings/instruments.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def instrument(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Permission.CONFIGURE_INSTRUMENTS)
    try:
        definition = get_instrument(code)
    except InstrumentError:
        raise Http404 from None
    setting = instrument_setting(code)
    if request.method == "POST":
        form = InstrumentSettingForm(request.POST, instrument=definition)

        def act(data):
            actions.configure_instrument(
                code,
                by=request.user,
                enabled=data["enabled"],
                registration_confirmed=data.get("registration_confirmed", False),
                registration_reference=data.get("registration_reference", ""),
                reliability=data["reliability"],
                sd=data["sd"],
            )
            messages.success(request, _("%(name)s settings saved.") % {"name": definition.name})
            return redirect("outcomes:instruments")

        if response := submit(request, form, act):
            return response
    else:
        form = InstrumentSettingForm(
            instrument=definition,
            initial={
                "enabled": actions.is_enabled(definition, setting),
                "registration_confirmed": bool(setting and setting.registration_confirmed_at),
                "registration_reference": setting.registration_reference if setting else "",
                "reliability": setting.reliability if setting else None,
                "sd": setting.sd if setting else None,
            },
        )
    return render(
        request,
        "outcomes/settings/instrument.html",
        {"instrument": definition, "form": form, "row": _instrument_row(definition, setting)},
    )


def _schedule_summary(site_ids) -> tuple[dict, dict]:
    rows = {}
    for row in scheduled_instruments(site_ids):
        rows.setdefault(row.site_id, []).append(
            {
                "instrument": get_instrument(row.instrument),
                "timepoints": [Timepoint(t).label for t in row.timepoints()],
            }
        )
    return rows, follow_up_months_at(site_ids)


def schedules(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.CONFIGURE_MEASURE_SCHEDULE)
    sites = list(sites_for(request.user).order_by("name"))
    rows, months = _schedule_summary([s.pk for s in sites])
    for site in sites:
        site.measure_rows = rows.get(site.pk, [])
        site.follow_up_months = months.get(site.pk, DEFAULT_FOLLOW_UP_MONTHS)
    return render(request, "outcomes/settings/schedules.html", {"sites": sites})


@require_http_methods(["GET", "POST"])
def site_schedule(request: HttpRequest, site_pk: int) -> HttpResponse:
    require(request.user, Permission.CONFIGURE_MEASURE_SCHEDULE)
    site = site_for(request.user, site_pk, Permission.CONFIGURE_MEASURE_SCHEDULE)
    in_use = actions.enabled_instruments()
    in_use_codes = {i.code for i in in_use}
    not_in_use = [i for i in all_instruments() if i.code not in in_use_codes]
    if request.method == "POST":
        form = SiteScheduleForm(request.POST, instruments=in_use)

        def act(data):
            actions.set_site_schedule(
                site,
                by=request.user,
                due=form.due(),
                follow_up_months=data["follow_up_months"],
            )
            messages.success(
                request, _("The measure schedule for %(site)s is saved.") % {"site": site.name}
            )
            return redirect("outcomes:schedules")

        if response := submit(request, form, act):
            return response
    else:
        initial = {"follow_up_months": actions.follow_up_months(site)}
        for row in scheduled_instruments([site.pk]):
            for timepoint in row.timepoints():
                initial[schedule_field_name(row.instrument, timepoint)] = True
        form = SiteScheduleForm(instruments=in_use, initial=initial)
    return render(
        request,
        "outcomes/settings/site_schedule.html",
        {
            "site": site,
            "form": form,
            "not_in_use": not_in_use,
            "columns": [Timepoint(t).label for t in SCHEDULED_TIMEPOINTS],
        },
    )
