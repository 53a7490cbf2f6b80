"""Referral pathways, the people referred, their referrals and what happens to them up to
allocation. State changes happen only in `referrals.actions`."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel
from linkwork.core.languages import in_language, welsh_name_field
from linkwork.core.sms import texts_on, uk_mobile
from linkwork.partners.models import SourceType

from .search import fold, phone_digits
from .status import (
    TAG_COLOURS,
    TO_TRIAGE,
    ClosureReason,
    DeclineReason,
    Priority,
    ReferralStatus,
    WithdrawalReason,
)
from .validators import validate_nhs_number


class PathwayQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(opens_on__lte=day).filter(
            Q(closes_on__isnull=True) | Q(closes_on__gt=day)
        )

    def usable_by(self, organisation):
        """Open pathways an organisation may refer through today."""
        return (
            self.open_on(timezone.localdate())
            .filter(source_type=organisation.source_type)
            .filter(Q(organisations=organisation) | Q(organisations__isnull=True))
            .distinct()
        )


class Pathway(models.Model):
    """A route into the service at one site: who may refer, when it is open, who is eligible.

    Pathways are configuration: managers open, widen and close them without a release, and each
    referral keeps the pathway it came through so reports can compare before and after.
    """

    site = models.ForeignKey(
        "partners.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="pathways"
    )
    name = models.CharField(_("name"), max_length=120)
    name_cy = welsh_name_field(120)
    source_type = models.CharField(_("source type"), max_length=32, choices=SourceType.choices)
    organisations = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("organisations that may use it"),
        blank=True,
        related_name="pathways",
        help_text=_("Leave empty to accept every organisation of this type."),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(
        _("closes on"),
        null=True,
        blank=True,
        help_text=_("No new referrals are taken through this pathway from this date."),
    )
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    frequent_attender_required = models.BooleanField(
        _("frequent attenders only"),
        default=False,
        help_text=_("Only accept people who frequently attend their GP or emergency services."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("referral pathway")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="pathway_name_unique_per_site"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gt=models.F("opens_on")),
                name="pathway_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__gte=16) & Q(minimum_age__lte=120),
                name="pathway_minimum_age_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.site})"

    @property
    def label(self) -> str:
        """The name in the reader's language (`name_cy` in Welsh, when there is one)."""
        return in_language(self.name, cy=self.name_cy)

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day and (self.closes_on is None or day < self.closes_on)

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())

    def accepts_organisation(self, organisation) -> bool:
        if self.source_type == SourceType.SELF_REFERRAL:
            return organisation is None
        if organisation is None or organisation.source_type != self.source_type:
            return False
        allowed = list(self.organisations.all())
        return not allowed or organisation in allowed


class PathwayVersion(models.Model):
    """The rules of a pathway as they stood from a date: who could refer through it and who was
    eligible. Changing those rules once referrals have come through the pathway makes a new
    version (`actions.save_pathway`); each referral keeps the version it came through, so what
    it was judged against is never rewritten. Append-only, like the status history."""

    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("in force from"))
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"))
    frequent_attender_required = models.BooleanField(_("frequent attenders only"))
    # Who could refer, as they were named then: [{"id": ..., "name": ...}]; empty for everyone
    # of the pathway's source type.
    organisations = models.JSONField(_("organisations that may use it"), default=list)
    reason = models.TextField(_("why the rules changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pathway", "number"]
        verbose_name = _("pathway version")
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "number"], name="pathway_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway.label} v{self.number}"

    RULES = ("minimum_age", "frequent_attender_required", "organisations")

    @classmethod
    def rules_of(cls, pathway: Pathway, organisations=None) -> dict:
        """The pathway's rules now (or with these organisations), as a version records them."""
        if organisations is None:
            organisations = pathway.organisations.all()
        return {
            "minimum_age": pathway.minimum_age,
            "frequent_attender_required": pathway.frequent_attender_required,
            "organisations": sorted(
                ({"id": o.pk, "name": o.name} for o in organisations), key=lambda o: o["id"]
            ),
        }

    def rules(self) -> dict:
        return {field: getattr(self, field) for field in self.RULES}


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")


class Need(models.TextChoices):
    """What the person needs help with, as ticked on the referral form."""

    LONELINESS = "loneliness", _("Loneliness or isolation")
    LOW_MOOD = "low_mood", _("Low mood, stress or anxiety")
    MONEY = "money", _("Money, debt or benefits")
    HOUSING = "housing", _("Housing")
    WORK = "work", _("Work, training or volunteering")
    ACTIVITY = "activity", _("Physical activity")
    BEREAVEMENT = "bereavement", _("Bereavement")
    CARING = "caring", _("Caring responsibilities")
    CONFIDENCE = "confidence", _("Confidence and getting out")
    RELATIONSHIPS = "relationships", _("Family or relationships")
    OTHER = "other", _("Something else")


def referral_reference(pk: int) -> str:
    """How a referral is named to staff and in anything that must not name the person."""
    return f"R{pk:06d}"


class Person(models.Model):
    """Someone referred to the service: who they are and how to reach them.

    Each referral records the person as the referrer described them; possible duplicates are
    shown to the person triaging, never merged silently.
    """

    # Fields that identify the person: never written to logs or research exports.
    PERSONAL_DATA_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "phone",
        "email",
        "address",
        "postcode",
        "best_time_to_call",
        "search_name",
        "search_phone",
    )

    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    nhs_number = models.CharField(
        _("NHS number"), max_length=10, blank=True, validators=[validate_nhs_number], db_index=True
    )
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    best_time_to_call = models.CharField(_("best time to call"), max_length=200, blank=True)
    # Asked on every referral form; changed on the record (`casework.actions.set_texts_agreed`).
    texts_agreed = models.BooleanField(_("agrees to text messages"), default=False)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept by save() for the staff search (referrals.search): the name folded (lower case, no
    # accents) and the phone number's digits. On PostgreSQL both have trigram indexes
    # (migration 0007), so a part of a name is found without reading everyone.
    search_name = models.CharField(max_length=201, blank=True, editable=False)
    search_phone = models.CharField(max_length=30, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["family_name", "given_name", "date_of_birth"]),
            # Possible duplicates are matched on date of birth and a case-insensitive name.
            models.Index(fields=["date_of_birth"], name="person_date_of_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.set_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "search_phone"}
        super().save(*args, **kwargs)

    def can_be_texted(self) -> bool:
        """They agreed to texts, have a UK mobile number, and this installation sends texts."""
        return self.texts_agreed and bool(uk_mobile(self.phone)) and texts_on()

    def set_search_fields(self) -> None:
        """What the staff search compares (also for rows made with bulk_create)."""
        self.search_name = fold(f"{self.given_name} {self.family_name}")[:201]
        self.search_phone = phone_digits(self.phone)[:30]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def reference(self) -> str:
        return f"P{self.pk:06d}"

    def age_on(self, day: datetime.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ReceivedVia(models.TextChoices):
    ONLINE = "online", _("Online referral form")
    SELF_REFERRAL = "self_referral", _("Self-referral form")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    PAPER = "paper", _("Paper or letter")


def waiting_order() -> list:
    """The waiting list's order: urgent first, then longest waiting (accepted first)."""
    return [
        models.Case(
            models.When(priority=Priority.URGENT, then=0),
            default=1,
            output_field=models.IntegerField(),
        ).asc(),
        models.F("accepted_at").asc(),
        models.F("pk").asc(),
    ]


class ReferralQuerySet(models.QuerySet):
    def waiting_list(self):
        """People waiting for a link coordinator, in the waiting list's order."""
        return self.filter(status=ReferralStatus.WAITING).order_by(*waiting_order())


class Referral(models.Model):
    """One request for support for one person, through one pathway, and what became of it."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="referrals"
    )
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.PROTECT, related_name="referrals"
    )
    # The pathway's rules this referral came through (empty only for rows made in bulk by the
    # demo's history and the benchmarks, which never change their pathways).
    pathway_version = models.ForeignKey(
        PathwayVersion,
        verbose_name=_("pathway version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    # Copied from the pathway so that every scoped query is one indexed filter.
    site = models.ForeignKey(
        "partners.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="referrals"
    )
    referring_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("referring organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referrer_name = models.CharField(_("referrer's name"), max_length=200, blank=True)
    referrer_contact = models.CharField(_("referrer's contact details"), max_length=200, blank=True)
    received_via = models.CharField(_("received by"), max_length=20, choices=ReceivedVia.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    needs = models.JSONField(_("needs help with"), default=list, blank=True)
    needs_detail = models.TextField(_("what the person needs help with"), blank=True)
    known_risks = models.TextField(_("known risks"), blank=True)
    frequent_attender = models.BooleanField(_("frequent attender"), default=False)
    consent_to_referral = models.BooleanField(_("consents to the referral"), default=False)
    consent_to_share_feedback = models.BooleanField(
        _("consents to feedback being shared with the referrer"), default=False
    )

    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ReferralStatus.choices,
        default=ReferralStatus.RECEIVED,
        db_index=True,
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.ROUTINE
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # The first decision at triage (accepted, declined or more information asked for), from the
    # status history: kept by `actions.move_to`, remade by `derived.rebuild`. Stored so that
    # "time to triage" over hundreds of thousands of referrals is a column, not a subquery.
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True, editable=False)
    decline_reason = models.CharField(
        _("reason"), max_length=32, choices=DeclineReason.choices, blank=True
    )
    redirected_to = models.CharField(_("redirected to"), max_length=200, blank=True)
    # Set when the referral is declined as a duplicate: the referral it repeats, which shows
    # it as linked (what it said, who sent it) instead of as a possible duplicate.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_duplicates",
    )
    information_requested = models.TextField(_("information requested"), blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("referral")
        indexes = [
            models.Index(fields=["site", "status"]),
            models.Index(fields=["referring_organisation", "received_at"]),
            # The referrals list shows the newest first (see bench/README.md).
            models.Index(fields=["received_at"], name="referral_received_at_idx"),
            # The reports count one site's referrals received, or accepted, in a period.
            models.Index(fields=["site", "received_at"], name="referral_site_received_idx"),
            models.Index(fields=["site", "accepted_at"], name="referral_site_accepted_idx"),
            # The triage queue, oldest first (the manager's home): a small index of the few
            # referrals still to triage, rather than walking every referral by date.
            models.Index(
                fields=["received_at"],
                condition=models.Q(
                    status__in=[ReferralStatus.INFORMATION_REQUESTED, ReferralStatus.RECEIVED]
                ),
                name="referral_to_triage_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="declined") | Q(decline_reason=""),
                name="decline_reason_only_when_declined",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(decline_reason="duplicate"),
                name="duplicate_of_only_when_declined_as_duplicate",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True)
                | Q(status__in=["accepted", "waiting", "allocated", "withdrawn", "closed"]),
                name="accepted_at_only_once_accepted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return referral_reference(self.pk)

    @property
    def awaiting_triage(self) -> bool:
        """Nobody has decided on it yet (so it has no priority, whatever the column holds)."""
        return self.status in TO_TRIAGE

    @property
    def status_colour(self) -> str:
        return TAG_COLOURS.get(self.status, "grey")

    def get_needs_display(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(code, code)) for code in self.needs]

    def days_waiting(self, now: datetime.datetime | None = None) -> int | None:
        if self.accepted_at is None:
            return None
        return ((now or timezone.now()) - self.accepted_at).days


class StatusChange(AppendOnlyModel):
    """One step of a referral along the pathway: who moved it, when and why. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=ReferralStatus.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    message_to_referrer = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status} -> {self.to_status}"

    @property
    def reason_label(self) -> str:
        steps = {"reallocated": _("Re-allocated"), "reopened": _("Reopened")}
        if self.reason in steps:
            return str(steps[self.reason])
        reasons = {
            ReferralStatus.DECLINED: DeclineReason,
            ReferralStatus.WITHDRAWN: WithdrawalReason,
            ReferralStatus.CLOSED: ClosureReason,
        }.get(self.to_status)
        if reasons is not None and self.reason in reasons.values:
            return str(reasons(self.reason).label)
        return self.reason


class OpenedWithReason(AppendOnlyModel):
    """A link coordinator opened the referral of someone outside their caseload, at a site where
    that takes a reason (`Site.coordinator_access`, decision 0023). It lets them read it until
    `until`; the site's managers review each one. Append-only."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="opened_with_reason"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()
    reason = models.TextField(_("reason"), max_length=1000)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("record opened with a reason")
        indexes = [models.Index(fields=["referral", "by", "until"])]

    def __str__(self) -> str:
        return f"{self.referral_id}: opened by {self.by_id} at {self.at:%Y-%m-%d %H:%M}"


def lasting(start, end=None, *, began: str, ended: str) -> Q:
    """Stretches (on the waiting list, on a caseload) that overlapped `start` to `end`: begun
    before `end` and not ended before `start`. With no `end`, those under way at `start`."""
    end = start if end is None else end
    return Q(**{f"{began}__lt": end}) & (
        Q(**{f"{ended}__isnull": True}) | Q(**{f"{ended}__gte": start})
    )


class WaitingSpell(models.Model):
    """One stretch of a referral on the waiting list: joined when it was moved to waiting, left
    when it was moved off (allocated, withdrawn...), open while it waits. Derived from the
    status history: `actions.move_to` keeps it, `derived.rebuild` remakes it. "On the list at
    t" is then `joined_at < t <= left_at` (or no `left_at`), one indexed range test instead of
    replaying every referral's history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="waiting_spells")
    # The referral's, copied so that a report of some sites' waiting lists needs no join.
    site = models.ForeignKey("partners.Site", on_delete=models.CASCADE, related_name="+")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("time on the waiting list")
        indexes = [
            models.Index(fields=["joined_at"], name="waiting_spell_joined_idx"),
            models.Index(fields=["left_at"], name="waiting_spell_left_idx"),
            models.Index(fields=["referral", "joined_at"], name="waiting_spell_referral_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(left_at__isnull=True),
                name="one_open_waiting_spell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.joined_at} - {self.left_at}"

    @staticmethod
    def waiting(start, end=None) -> Q:
        """On the list at `start`, or at some time from `start` to `end`."""
        return lasting(start, end, began="joined_at", ended="left_at")


class InterimContact(models.Model):
    """Telephone support given to someone while they wait for a link coordinator."""

    class Mode(models.TextChoices):
        TELEPHONE = "telephone", _("Telephone")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("Email")
        FACE_TO_FACE = "face_to_face", _("Face to face")

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="interim_contacts"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    mode = models.CharField(_("how"), max_length=20, choices=Mode.choices, default=Mode.TELEPHONE)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_volunteer = models.BooleanField(_("given by a volunteer"), default=False)
    minutes = models.PositiveSmallIntegerField(_("length in minutes"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("interim support contact")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.at:%Y-%m-%d}"


class Allocation(models.Model):
    """A link coordinator taking a person onto their caseload. Re-allocation ends the old one."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="allocations")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("link coordinator"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    started_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(ended_at__isnull=True),
                name="one_current_allocation_per_referral",
            )
        ]
        indexes = [models.Index(fields=["coordinator", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.referral} → {self.coordinator}"

    @staticmethod
    def held(start, end=None) -> Q:
        """On the caseload at `start`, or at some time from `start` to `end`."""
        return lasting(start, end, began="started_at", ended="ended_at")


class CorrectionReason(models.TextChoices):
    """Why something held about a person was changed or corrected (UK GDPR article 16)."""

    PERSON_ASKED = "person_asked", _("The person asked us to correct it (rectification request)")
    DETAILS_CHANGED = "details_changed", _("The details changed (moved house, new number)")
    RECORDED_WRONGLY = "recorded_wrongly", _("It was recorded wrongly")
    OTHER = "other", _("Other")


def correction_reason_label(reason: str, detail: str = "") -> str:
    """The reason as people read it: its label, then what was written about it."""
    label = str(CorrectionReason(reason).label) if reason in CorrectionReason.values else reason
    return f"{label}: {detail}" if detail else label


class PersonDetailsChange(AppendOnlyModel):
    """A change to a person's details (names, date of birth, NHS number, how to contact them,
    language): each changed field's value before and after, who changed it, when and why.
    The details are corrected in place (`Person` holds what is true now); what was held before
    stays here. Append-only: the history of what the service held is never rewritten."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="details_changes"
    )
    # The referral the change was made from (the person's details are shared by all of them).
    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=CorrectionReason.choices)
    reason_detail = models.TextField(_("more about the reason"), blank=True, max_length=1000)
    # [{"field": name, "old": value, "new": value}], in the form's order; dates as ISO text.
    changes = models.JSONField(_("what changed (before and after)"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change to a person's details")
        verbose_name_plural = _("changes to the person's details")
        indexes = [models.Index(fields=["person", "at"], name="details_change_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(reason_detail=""),
                name="details_change_other_reason_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: details changed at {self.at:%Y-%m-%d %H:%M}"

    @property
    def reason_label(self) -> str:
        return correction_reason_label(self.reason, self.reason_detail)

    @property
    def field_names(self) -> list[str]:
        return [change["field"] for change in self.changes]

    def field_labels(self) -> list[str]:
        return [detail_label(name) for name in self.field_names]

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, before, after), as people read them."""
        return [
            (
                detail_label(c["field"]),
                detail_display(c["field"], c["old"]),
                detail_display(c["field"], c["new"]),
            )
            for c in self.changes
        ]


def detail_label(name: str) -> str:
    """A person field's name as people read it ("phone number")."""
    try:
        return str(Person._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001  (a field since removed: show its name)
        return name


def detail_value(value) -> str | bool:
    """A person field's value as the history keeps it (JSON): dates as ISO text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def detail_display(name: str, value) -> str:
    """A kept value as people read it: dates as 27/03/1980, yes/no, languages by name."""
    if value in ("", None):
        return "–"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "preferred_language" and value in Language.values:
        return str(Language(value).label)
    if name == "date_of_birth":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


class NoteCorrection(AppendOnlyModel):
    """A correction to a note written by staff (UK GDPR article 16, decision 0026): the note as
    it stood before (`original`) and the corrected text, who corrected it, when and why. The
    entry corrected holds the corrected text; the first correction's `original` is the note as
    first written. Append-only: a note is never silently overwritten. Each kind of note has its
    own table, with a foreign key to the entry (`InterimContactCorrection`,
    `casework.ContactNoteCorrection`)."""

    #: Why a note is corrected: a person's details change, a note doesn't.
    REASONS = (
        CorrectionReason.PERSON_ASKED,
        CorrectionReason.RECORDED_WRONGLY,
        CorrectionReason.OTHER,
    )

    original = models.TextField(_("the note before"), blank=True)
    corrected = models.TextField(_("the corrected note"), blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=CorrectionReason.choices)
    reason_detail = models.TextField(_("more about the reason"), blank=True, max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(reason_detail=""),
                name="%(app_label)s_%(class)s_other_explained",
            ),
        ]

    @property
    def reason_label(self) -> str:
        return correction_reason_label(self.reason, self.reason_detail)


class InterimContactCorrection(NoteCorrection):
    """A correction to the note of interim support given while the person waited (decision
    0026). Append-only."""

    interim_contact = models.ForeignKey(
        InterimContact,
        verbose_name=_("interim support contact"),
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta(NoteCorrection.Meta):
        verbose_name = _("correction to an interim support note")
        verbose_name_plural = _("corrections to interim support notes")

    def __str__(self) -> str:
        return f"interim contact {self.interim_contact_id} corrected at {self.at:%Y-%m-%d %H:%M}"
