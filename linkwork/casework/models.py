"""What a link coordinator and the person do together once the person is allocated: the
"what matters" conversation, goals, contacts, the planned length of support, and closure.

The allocated `referrals.Referral` is the case; everything here hangs off it. State changes
happen only in `casework.actions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linkwork.audit.append_only import AppendOnlyModel
from linkwork.core.models import OneTimeLink
from linkwork.referrals.models import NoteCorrection
from linkwork.referrals.status import ClosureReason


class SupportPlan(models.Model):
    """When support started, when it is planned to end, and how many sessions are planned.

    Coordinators set dates "to maintain a strict amount of sessions"; extending the end date
    needs a reason (`PlanExtension`).
    """

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="support_plan"
    )
    starts_on = models.DateField(_("support starts"))
    ends_on = models.DateField(_("planned end"))
    planned_sessions = models.PositiveSmallIntegerField(_("planned sessions"), default=6)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="plan_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"


class PlanExtension(AppendOnlyModel):
    """A later planned end date, and why ("we might be the only source of support")."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="extensions")
    previous_end = models.DateField()
    new_end = models.DateField()
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_end__gt=models.F("previous_end")), name="extension_is_later"
            )
        ]

    def __str__(self) -> str:
        return f"{self.previous_end} -> {self.new_end}"


class WhatMatters(AppendOnlyModel):
    """One version of the "what matters" conversation, in the person's own words.

    Revisiting it adds a new version; earlier versions are kept.
    """

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="what_matters"
    )
    version = models.PositiveSmallIntegerField()
    what_matters = models.TextField(_("what matters to them"))
    strengths = models.TextField(_("strengths and what they enjoy"), blank=True)
    getting_in_the_way = models.TextField(_("what is getting in the way"), blank=True)
    people_around = models.TextField(_("who is around them"), blank=True)
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("what matters conversation")
        constraints = [
            models.UniqueConstraint(fields=["referral", "version"], name="what_matters_version")
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} v{self.version}"


class LifeDomain(models.TextChoices):
    SOCIAL = "social", _("Social connection")
    ACTIVITY = "activity", _("Physical activity")
    WELLBEING = "wellbeing", _("Mental wellbeing")
    MONEY = "money", _("Money and debt")
    HOUSING = "housing", _("Housing")
    WORK = "work", _("Work and learning")
    HOME = "home", _("Practical help at home")
    HEALTH = "health", _("Physical health")
    OTHER = "other", _("Other")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    PARTLY_ACHIEVED = "partly_achieved", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    CHANGED = "changed", _("Changed")


class Goal(models.Model):
    """A goal co-produced with the person, in their own words, rated over time."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="goals"
    )
    description = models.TextField(_("goal, in the person's words"))
    domain = models.CharField(_("life domain"), max_length=20, choices=LifeDomain.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    started_on = models.DateField(_("set on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A changed goal points at the goal that replaced it.
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="goal_ended_on_once_ended",
            ),
            models.CheckConstraint(
                condition=Q(replaced_by__isnull=True) | Q(status="changed"),
                name="goal_replaced_only_when_changed",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_active(self) -> bool:
        return self.status == GoalStatus.ACTIVE


class GoalRating(AppendOnlyModel):
    """Progress towards a goal, 0-10, at a review."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("progress (0 to 10)"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    rated_on = models.DateField(_("date"), default=timezone.localdate)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rated_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="goal_rating_0_to_10")
        ]

    def __str__(self) -> str:
        return f"{self.score}/10 on {self.rated_on}"


class GoalStep(models.Model):
    """One step of a graded approach to a goal ("go with the LC", "go by taxi", "go alone")."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("step"), max_length=300)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "position"], name="goal_step_position")
        ]

    def __str__(self) -> str:
        return self.description


class ContactMode(models.TextChoices):
    HOME_VISIT = "home_visit", _("Face to face at home")
    FACE_TO_FACE = "face_to_face", _("Face to face elsewhere")
    TELEPHONE = "telephone", _("Telephone")
    VIDEO = "video", _("Video call")
    TEXT_OR_EMAIL = "text_or_email", _("Text or email")
    ACCOMPANIED = "accompanied", _("Accompanied visit")


class ContactOutcome(models.TextChoices):
    BOOKED = "booked", _("Booked (still to happen)")
    ATTENDED = "attended", _("Attended")
    DID_NOT_ATTEND = "did_not_attend", _("Did not attend")
    CANCELLED_BY_PERSON = "cancelled_by_person", _("Cancelled by the person")
    CANCELLED_BY_SERVICE = "cancelled_by_service", _("Cancelled by the service")


class Contact(models.Model):
    """A session or other contact between the person and the service. Every contact records
    its mode, so the effect of moving from face to face to telephone can be measured."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="contacts"
    )
    at = models.DateTimeField(_("date and time"))
    mode = models.CharField(_("how"), max_length=20, choices=ContactMode.choices)
    minutes = models.PositiveSmallIntegerField(_("length in minutes"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=24,
        choices=ContactOutcome.choices,
        default=ContactOutcome.ATTENDED,
    )
    volunteer_present = models.BooleanField(_("a volunteer was there"), default=False)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["referral", "at"]),
            # The reports' people seen in a period: the contacts of a period, without the table.
            models.Index(fields=["at", "outcome", "referral"], name="contact_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.at:%Y-%m-%d}"


class ContactNoteCorrection(NoteCorrection):
    """A correction to a contact's note (decision 0026): the note before and after, who, when
    and why; the contact's `note` holds the corrected text. Append-only."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="corrections"
    )

    class Meta(NoteCorrection.Meta):
        verbose_name = _("correction to a contact note")
        verbose_name_plural = _("corrections to contact notes")

    def __str__(self) -> str:
        return f"contact {self.contact_id} corrected at {self.at:%Y-%m-%d %H:%M}"


class ContactDay(models.Model):
    """How many contacts of each mode and outcome a site had through a pathway on a day: the
    reports' monthly contact figures read these few hundred thousand rows instead of millions of
    contacts. Kept by the contact actions (`tallies.count_contact`), remade from the contacts by
    `tallies.rebuild`."""

    site = models.ForeignKey("partners.Site", on_delete=models.CASCADE, related_name="+")
    pathway = models.ForeignKey("referrals.Pathway", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    mode = models.CharField(max_length=20, choices=ContactMode.choices)
    outcome = models.CharField(max_length=24, choices=ContactOutcome.choices)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("contacts on a day")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "pathway", "day", "mode", "outcome"], name="one_tally_a_day"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="contact_day_idx")]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.pathway_id} {self.day} {self.mode} {self.outcome}: {self.n}"


class FirstContact(models.Model):
    """When a referral's first support contact took place (the first attended contact): the
    reports' wait from acceptance to first contact, for hundreds of thousands of referrals, is
    a join instead of a search through each one's contacts. Kept by the contact actions
    (`tallies.count_contact`), remade by `tallies.rebuild`."""

    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="first_contact",
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("first support contact")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.at}"


class Closure(models.Model):
    """The end of support: why, a short summary, and (if it happens) the reopening."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="closures"
    )
    reason = models.CharField(_("reason"), max_length=32, choices=ClosureReason.choices)
    summary = models.TextField(_("summary"))
    closed_on = models.DateField(_("closed on"), default=timezone.localdate)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        ordering = ["-closed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(reopened_at__isnull=True),
                name="one_open_closure_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} closed {self.closed_on}"


class Agreement(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, _("Strongly disagree")
    DISAGREE = 2, _("Disagree")
    NEUTRAL = 3, _("Neither agree nor disagree")
    AGREE = 4, _("Agree")
    STRONGLY_AGREE = 5, _("Strongly agree")


class PreferredMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    PHONE = "phone", _("Phone")
    MIX = "mix", _("A mix of both")


class ClientFeedback(models.Model):
    """The person's own view of the support, at closure, in English or Welsh."""

    class CompletedVia(models.TextChoices):
        WITH_COORDINATOR = "with_coordinator", _("With their link coordinator")
        SECURE_LINK = "secure_link", _("By themselves, through a secure link")

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="client_feedback"
    )
    helpful = models.PositiveSmallIntegerField(
        _("The support was helpful"), choices=Agreement.choices
    )
    listened_to = models.PositiveSmallIntegerField(
        _("I felt listened to"), choices=Agreement.choices
    )
    involved_in_decisions = models.PositiveSmallIntegerField(
        _("I felt involved in decisions about my support"), choices=Agreement.choices
    )
    preferred_mode = models.CharField(
        _("How would you prefer to get support?"), max_length=20, choices=PreferredMode.choices
    )
    what_helped = models.TextField(_("What helped?"), blank=True)
    what_could_be_better = models.TextField(_("What could have been better?"), blank=True)
    language = models.CharField(max_length=5, default="en")
    completed_via = models.CharField(max_length=20, choices=CompletedVia.choices)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("client feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(helpful__gte=1, helpful__lte=5)
                & Q(listened_to__gte=1, listened_to__lte=5)
                & Q(involved_in_decisions__gte=1, involved_in_decisions__lte=5),
                name="feedback_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} feedback {self.submitted_at:%Y-%m-%d}"


class FeedbackLink(OneTimeLink):
    """A one-time link the person uses to give feedback on their own, without an account."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="feedback_links"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(OneTimeLink.Meta):
        pass

    def __str__(self) -> str:
        return f"feedback link {self.pk}"


class CoordinatorReminder(models.Model):
    """The daily reminder a link coordinator was sent: at most one a day, whatever the sweeps."""

    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    counts = models.JSONField(default=dict)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coordinator", "day"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"reminder {self.coordinator_id} {self.day}"


class DiaryFeed(models.Model):
    """A private calendar address (iCalendar) for one coordinator's booked contacts: anyone who
    has the address can read it, so it shows references and times only, never a name. Only a
    hash of the secret part is kept. Stopping it (or making a new one) revokes the address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_diary_feed_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"Diary feed {self.pk}"
