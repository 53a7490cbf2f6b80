"""Every change to outcome measures: which instruments are in use, site schedules, measures
entered by a coordinator or through a one-time link (each announced by `signals.measure_recorded`,
from which the safeguarding app raises its item 9 check).

Each action is one transaction that checks what it must, makes the change and writes the audit
log. Refusals raise `ActionRefused` with words for the user.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linkwork.accounts.models import User
from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core import signed_links
from linkwork.core.email import email_after_commit
from linkwork.core.errors import ActionRefused
from linkwork.core.links import absolute_url
from linkwork.core.sms import text_after_commit
from linkwork.partners.models import Site
from linkwork.referrals.models import Referral
from linkwork.referrals.status import ReferralStatus

from .instruments import Instrument, InstrumentError, all_instruments, get_instrument
from .models import (
    DEFAULT_FOLLOW_UP_MONTHS,
    CollectedBy,
    InstrumentSetting,
    Measure,
    MeasureLink,
    ScheduledInstrument,
    SiteOutcomeSettings,
    Timepoint,
)
from .schedules import asks_for
from .signals import hold_on, measure_recorded

MEASURE_LINK_SALT = "linkwork.outcomes.measure-link"
DEFAULT_MEASURE_LINK_DAYS = 14

#: The PHQ-9 flag a positive item 9 ("thoughts that you would be better off dead, or of hurting
#: yourself") sets, whatever the total.
ITEM_9_FLAG = "phq9_item9"


def measure_link_days() -> int:
    """How long a measure link works (setting `MEASURE_LINK_DAYS`, default 14)."""
    return int(getattr(settings, "MEASURE_LINK_DAYS", DEFAULT_MEASURE_LINK_DAYS))


def _audit(by, action: AuditAction, obj, referral: Referral | None, fields=()) -> None:
    audit.record(
        by=by,
        action=action,
        obj=obj,
        person_id=referral.person_id if referral is not None else None,
        fields=fields,
    )


# --- Instruments in use -------------------------------------------------------------------------


def instrument_settings() -> dict[str, InstrumentSetting]:
    return {setting.instrument: setting for setting in InstrumentSetting.objects.all()}


def is_enabled(instrument: Instrument, setting: InstrumentSetting | None) -> bool:
    """Licensed instruments are off until switched on with registration confirmed; the others
    are on unless switched off."""
    if instrument.requires_registration:
        return bool(setting and setting.enabled and setting.registration_confirmed_at)
    return setting is None or setting.enabled


def enabled_instruments() -> list[Instrument]:
    settings_by_code = instrument_settings()
    return [i for i in all_instruments() if is_enabled(i, settings_by_code.get(i.code))]


def change_parameters(
    instrument: Instrument, setting: InstrumentSetting | None = None
) -> tuple[float | None, float | None]:
    """The reliability and SD used for reliable change: the installation's, or the published."""
    reliability, sd = instrument.reliability, instrument.sd
    if setting is not None:
        if setting.reliability is not None:
            reliability = float(setting.reliability)
        if setting.sd is not None:
            sd = float(setting.sd)
    return reliability, sd


@transaction.atomic
def configure_instrument(
    code: str,
    *,
    by: User,
    enabled: bool,
    registration_confirmed: bool = False,
    registration_reference: str = "",
    reliability: Decimal | None = None,
    sd: Decimal | None = None,
) -> InstrumentSetting:
    """Switch an instrument on or off for the installation and set its change parameters.

    A licensed instrument can be switched on only when registration is confirmed.
    """
    instrument = get_instrument(code)
    setting, _created = InstrumentSetting.objects.select_for_update().get_or_create(instrument=code)
    if instrument.requires_registration:
        if enabled and not registration_confirmed:
            raise ActionRefused(
                _(
                    "%(name)s needs a licence: confirm that the service has registered its use "
                    "before switching it on."
                )
                % {"name": instrument.name},
                field="registration_confirmed",
            )
        if registration_confirmed and setting.registration_confirmed_at is None:
            setting.registration_confirmed_at = timezone.now()
            setting.registration_confirmed_by = by
        if not registration_confirmed:
            setting.registration_confirmed_at = None
            setting.registration_confirmed_by = None
        setting.registration_reference = registration_reference.strip()
    if reliability is not None and not Decimal(0) < reliability < Decimal(1):
        raise ActionRefused(_("Reliability must be between 0 and 1."), field="reliability")
    if sd is not None and sd <= 0:
        raise ActionRefused(_("The standard deviation must be more than 0."), field="sd")
    setting.enabled = enabled
    setting.reliability = reliability
    setting.sd = sd
    setting.changed_at = timezone.now()
    setting.save()
    _audit(by, AuditAction.CHANGE, setting, None, fields=("enabled", "reliability", "sd"))
    return setting


# --- Site schedules -----------------------------------------------------------------------------


def follow_up_months(site: Site) -> int:
    settings_row = SiteOutcomeSettings.objects.filter(site=site).first()
    return settings_row.follow_up_months if settings_row else DEFAULT_FOLLOW_UP_MONTHS


@transaction.atomic
def set_site_schedule(
    site: Site, *, by: User, due: dict[str, set[str]], follow_up_months: int
) -> list[ScheduledInstrument]:
    """Replace the site's schedule: for each instrument code, the timepoints it is due at.

    Only instruments in use may be scheduled; an instrument due at no timepoint is removed.
    """
    if not 1 <= follow_up_months <= 24:
        raise ActionRefused(
            _("Follow-up must be between 1 and 24 months after support ends."),
            field="follow_up_months",
        )
    in_use = {i.code for i in enabled_instruments()}
    allowed = {Timepoint.BASELINE, Timepoint.END, Timepoint.FOLLOW_UP}
    rows = []
    for code, timepoints in due.items():
        if not timepoints:
            continue
        if code not in in_use:
            raise ActionRefused(
                _("%(name)s is not in use in this installation.")
                % {"name": get_instrument(code).name}
            )
        if not set(timepoints) <= allowed:
            raise ActionRefused(_("Choose baseline, end of support or follow-up."))
        rows.append(
            ScheduledInstrument(
                site=site,
                instrument=code,
                at_baseline=Timepoint.BASELINE in timepoints,
                at_end=Timepoint.END in timepoints,
                at_follow_up=Timepoint.FOLLOW_UP in timepoints,
            )
        )
    ScheduledInstrument.objects.filter(site=site).delete()
    created = ScheduledInstrument.objects.bulk_create(rows)
    settings_row, _created = SiteOutcomeSettings.objects.update_or_create(
        site=site, defaults={"follow_up_months": follow_up_months}
    )
    audit.record(
        by=by, action=AuditAction.CHANGE, obj=settings_row, fields=("schedule", "follow_up")
    )
    return created


# --- Measures -----------------------------------------------------------------------------------


def _check_timepoint(
    referral: Referral, timepoint: str, *, instrument: str = "", on: datetime.date | None = None
) -> None:
    if timepoint not in Timepoint.values:
        raise ActionRefused(_("Choose when this measure was taken."), field="timepoint")
    status = referral.status
    if status == ReferralStatus.WAITING and timepoint == Timepoint.BASELINE:
        # Accepted and waiting: a baseline may come before support (a trial collects it before
        # randomisation). It is the baseline the service's schedule asks for too.
        return
    if (
        timepoint == Timepoint.REVIEW
        and status in (ReferralStatus.WAITING, ReferralStatus.CLOSED)
        and instrument
        and asks_for(referral, instrument, on or timezone.localdate(), timezone.localdate())
    ):
        # Outside support, but a registered source (a trial's follow-up, weeks after
        # randomisation) asks for this measure now, and one taken on that day counts for it.
        return
    if status not in (ReferralStatus.ALLOCATED, ReferralStatus.CLOSED):
        raise ActionRefused(
            _("Measures are collected once the person is allocated to a link coordinator.")
        )
    if timepoint in (Timepoint.BASELINE, Timepoint.REVIEW) and status != ReferralStatus.ALLOCATED:
        raise ActionRefused(
            _("Support has closed: record this as the end of support or follow-up measure."),
            field="timepoint",
        )
    if timepoint == Timepoint.FOLLOW_UP and status != ReferralStatus.CLOSED:
        raise ActionRefused(
            _("Follow-up measures are collected after support has closed."), field="timepoint"
        )


def _score(instrument: Instrument, answers):
    try:
        return instrument.score(list(answers))
    except InstrumentError as error:
        # The message names the item; it holds no personal data.
        raise ActionRefused(_("Answer every question: %(problem)s") % {"problem": error}) from None


def _save_measure(
    referral: Referral,
    *,
    instrument: Instrument,
    timepoint: str,
    answers,
    completed_on: datetime.date,
    collected_by: str,
    language: str,
    by: User | None,
) -> Measure:
    if not is_enabled(
        instrument, InstrumentSetting.objects.filter(instrument=instrument.code).first()
    ):
        raise ActionRefused(
            _("%(name)s is not in use in this installation.") % {"name": instrument.name},
            field="instrument",
        )
    _check_timepoint(referral, timepoint, instrument=instrument.code, on=completed_on)
    today = timezone.localdate()
    if completed_on > today:
        raise ActionRefused(_("The date cannot be in the future."), field="completed_on")
    if completed_on < timezone.localdate(referral.received_at):
        raise ActionRefused(
            _("The date cannot be before the referral was received."), field="completed_on"
        )
    score = _score(instrument, answers)
    if (
        timepoint != Timepoint.REVIEW
        and referral.measures.filter(
            instrument=instrument.code, timepoint=timepoint, withdrawn_at__isnull=True
        ).exists()
    ):
        raise ActionRefused(
            _(
                "%(name)s has already been recorded for %(when)s. Withdraw that one first if it "
                "was entered in error."
            )
            % {"name": instrument.name, "when": Timepoint(timepoint).label.lower()},
            field="timepoint",
        )
    measure = Measure(
        referral=referral,
        instrument=instrument.code,
        timepoint=timepoint,
        completed_on=completed_on,
        answers=list(score.answers),
        total=Decimal(score.total) if score.total is not None else None,
        raw=score.raw,
        band=score.band or "",
        subscores={code: sub.value for code, sub in score.subscores.items()},
        flags={flag: True for flag, on in score.flags.items() if on},
        collected_by=collected_by,
        language=language,
        by=by,
    )
    try:
        with transaction.atomic():
            measure.save()
    except IntegrityError:
        # Someone else recorded the same timepoint at the same moment.
        raise ActionRefused(
            _("%(name)s has just been recorded for this timepoint by someone else.")
            % {"name": instrument.name}
        ) from None
    _audit(by, AuditAction.CREATE, measure, referral)
    measure_recorded.send(sender=Measure, measure=measure, flags=score.flags, by=by)
    return measure


@transaction.atomic
def record_measure(
    referral: Referral,
    *,
    by: User,
    instrument: str,
    timepoint: str,
    answers,
    completed_on: datetime.date | None = None,
) -> Measure:
    """Record a measure the coordinator completed with the person. A PHQ-9 with item 9 answered
    other than "not at all" raises a safeguarding check in the same transaction (see
    `signals`); while a hold is on the person (such as an open check), nothing is entered."""
    referral = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    try:
        definition = get_instrument(instrument)
    except InstrumentError:
        raise ActionRefused(_("Choose an instrument."), field="instrument") from None
    hold = hold_on(referral, by)
    if hold is not None:
        # "Record what you did before moving on": nothing more is entered until then.
        raise ActionRefused(str(hold.message))
    return _save_measure(
        referral,
        instrument=definition,
        timepoint=timepoint,
        answers=answers,
        completed_on=completed_on or timezone.localdate(),
        collected_by=CollectedBy.COORDINATOR,
        language=referral.person.preferred_language,
        by=by,
    )


@transaction.atomic
def withdraw_measure(measure: Measure, *, by: User, reason: str) -> Measure:
    """Withdraw a measure entered in error. It stays on record, marked withdrawn."""
    measure = Measure.objects.select_for_update().select_related("referral").get(pk=measure.pk)
    if measure.withdrawn_at is not None:
        raise ActionRefused(_("This measure has already been withdrawn."))
    if not reason.strip():
        raise ActionRefused(_("Say why the measure is being withdrawn."), field="reason")
    measure.withdrawn_at = timezone.now()
    measure.withdrawn_by = by
    measure.withdrawn_reason = reason.strip()
    measure.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    _audit(by, AuditAction.CHANGE, measure, measure.referral, fields=("withdrawn_at",))
    return measure


# --- One-time links -----------------------------------------------------------------------------


@transaction.atomic
def create_measure_link(
    referral: Referral,
    *,
    by: User,
    instrument: str,
    timepoint: str,
    send_to_person: bool = False,
    send_by_text: bool = False,
) -> tuple[MeasureLink, str]:
    """A link the person can use once, within `measure_link_days()`, to complete one
    instrument. Any earlier unused link for the same instrument and timepoint is withdrawn.
    Returns the link and the signed value for its URL. With `send_to_person`, it is also
    emailed to them, in their language, if they have an address; with `send_by_text`, texted to
    their mobile, in their language (refused unless they agreed to texts)."""
    referral = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    try:
        definition = get_instrument(instrument)
    except InstrumentError:
        raise ActionRefused(_("Choose an instrument."), field="instrument") from None
    if not is_enabled(definition, InstrumentSetting.objects.filter(instrument=instrument).first()):
        raise ActionRefused(
            _("%(name)s is not in use in this installation.") % {"name": definition.name},
            field="instrument",
        )
    _check_timepoint(referral, timepoint, instrument=instrument)
    if (
        timepoint != Timepoint.REVIEW
        and referral.measures.filter(
            instrument=instrument, timepoint=timepoint, withdrawn_at__isnull=True
        ).exists()
    ):
        raise ActionRefused(
            _("%(name)s has already been recorded for %(when)s.")
            % {"name": definition.name, "when": Timepoint(timepoint).label.lower()},
            field="timepoint",
        )
    now = timezone.now()
    referral.measure_links.filter(
        instrument=instrument, timepoint=timepoint, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = signed_links.new_token()
    link = MeasureLink.objects.create(
        referral=referral,
        instrument=instrument,
        timepoint=timepoint,
        token_hash=signed_links.hash_token(token),
        created_at=now,
        expires_at=now + datetime.timedelta(days=measure_link_days()),
        by=by,
    )
    _audit(by, AuditAction.CREATE, link, referral)
    signed = signed_links.sign(link.pk, token, salt=MEASURE_LINK_SALT)
    person = referral.person
    if send_to_person and person.email:
        url = absolute_url(reverse("outcomes:public_measure", args=[signed]))
        with translation.override(person.preferred_language):
            email_after_commit(
                to=[person.email],
                subject=_("A short questionnaire from your link coordinator"),
                body=render_to_string(
                    "outcomes/email/measure_link.txt",
                    {
                        "url": url,
                        "first_name": person.given_name,
                        "expires_on": timezone.localtime(link.expires_at).date(),
                    },
                ),
            )
    if send_by_text:
        _text_link(link, signed, person)
    return link, signed


def _text_link(link: MeasureLink, signed: str, person) -> None:
    if not person.texts_agreed:
        raise ActionRefused(
            _("%(name)s has not agreed to text messages.") % {"name": person.full_name}
        )
    url = absolute_url(reverse("outcomes:public_measure", args=[signed]))
    with translation.override(person.preferred_language):
        message = _(
            "Hello %(name)s. Your link coordinator asks you to fill in a short questionnaire: "
            "%(url)s It works once, until %(date)s."
        ) % {
            "name": person.given_name,
            "url": url,
            "date": date_format(timezone.localtime(link.expires_at).date()),
        }
    if not text_after_commit(to=person.phone, message=message, reference=f"measure-link-{link.pk}"):
        raise ActionRefused(
            _("A text cannot be sent: %(phone)s is not a UK mobile number, or texts are off.")
            % {"phone": person.phone or _("no number")}
        )


@transaction.atomic
def revoke_measure_link(link: MeasureLink, *, by: User) -> None:
    link = MeasureLink.objects.select_for_update().select_related("referral").get(pk=link.pk)
    if link.used_at is None and link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        _audit(by, AuditAction.CHANGE, link, link.referral, fields=("revoked_at",))


def measure_link_from(value: str) -> MeasureLink | None:
    """The usable link a signed URL value stands for, or None (tampered, unknown, used,
    expired or withdrawn)."""
    return signed_links.usable_link(
        value, salt=MEASURE_LINK_SALT, links=MeasureLink.objects.select_related("referral__person")
    )


@transaction.atomic
def complete_measure_through_link(link: MeasureLink, *, answers, language: str) -> Measure:
    """The person's own answers, through their link. The link is spent in the same
    transaction, so a second submission (or a double click) records nothing more."""
    link = MeasureLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_usable():
        raise ActionRefused(_("This link has already been used or has expired."))
    referral = Referral.objects.select_for_update().get(pk=link.referral_id)
    measure = _save_measure(
        referral,
        instrument=get_instrument(link.instrument),
        timepoint=link.timepoint,
        answers=answers,
        completed_on=timezone.localdate(),
        collected_by=CollectedBy.LINK,
        language=language,
        by=None,
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    _audit(None, AuditAction.CHANGE, link, referral, fields=("used_at",))
    return measure
