"""The audit log: who read or changed what, and when.

Written explicitly by `audit.record` inside the same transaction as the change it describes
(signals miss bulk writes). A line names the record and the fields touched, never their values.
"""

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import chain
from .append_only import AppendOnlyModel, AppendOnlyQuerySet


class AuditEventQuerySet(AppendOnlyQuerySet):
    """Append-only, and every line written through it joins the hash chain (`chain`)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.link(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    TRANSITION = "transition", _("Moved along the pathway")
    DELETE = "delete", _("Deleted")
    SEARCH = "search", _("Found in a search")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed to sign in")
    SIGN_OUT = "sign_out", _("Signed out")
    LOCKED_OUT = "locked_out", _("Sign-in paused after failures")
    SECOND_FACTOR = "2fa_passed", _("Gave a sign-in code")
    SECOND_FACTOR_RECOVERY = "2fa_recovery", _("Gave a recovery code")
    SECOND_FACTOR_FAILED = "2fa_failed", _("Gave a wrong sign-in code")
    SECOND_FACTOR_ADDED = "2fa_added", _("Set up two-factor sign-in")
    RECOVERY_CODES_MADE = "2fa_new_codes", _("Made new recovery codes")
    SECOND_FACTOR_REMOVED = "2fa_removed", _("Removed two-factor sign-in")
    PASSKEY_ADDED = "passkey_added", _("Added a passkey")
    PASSKEY_USED = "passkey_used", _("Used a passkey")
    PASSKEY_FAILED = "passkey_failed", _("Failed to use a passkey")
    PASSKEY_REMOVED = "passkey_removed", _("Removed a passkey")
    PASSWORD_RESET_SENT = "reset_sent", _("Sent a password reset link")
    PASSWORD_RESET = "password_reset", _("Reset the password by email")
    # A signed-in user asked for a record they may not see (or one that does not exist): they
    # were answered 404 like anyone else (`audit.refusals`).
    REFUSED = "refused", _("Refused access")


class RecordPart(models.TextChoices):
    """Which part of a person's record a view line is about: one per page that shows it. A
    fixed vocabulary, never anything from the record itself."""

    REFERRAL = "referral", _("The referral")
    TRIAGE = "triage", _("The referral, to triage it")
    RECORD = "record", _("The person's record")
    TIMELINE = "timeline", _("The person's timeline")
    WHAT_MATTERS = "what_matters", _("What matters to the person")
    GOAL = "goal", _("A goal and its steps")
    MEASURES = "measures", _("Outcome measures")
    PRESCRIPTIONS = "prescriptions", _("Social prescriptions")
    PRESCRIPTION = "prescription", _("A social prescription")
    FINDING_A_SERVICE = "find_service", _("The directory, finding a service for the person")
    SERVICE_LINK = "service_link", _("What a service was sent, through its link")
    SAFEGUARDING = "safeguarding", _("Safeguarding: risk flags and concerns")
    CONCERN = "concern", _("A safeguarding concern")
    PROMPT = "prompt", _("A PHQ-9 question 9 check")
    TRIAL = "trial", _("Their part in a trial")
    LETTER = "letter", _("A letter")
    LETTER_PREVIEW = "letter_preview", _("A letter's preview")
    LETTER_PDF = "letter_pdf", _("A letter, downloaded to print")
    SUBJECT_ACCESS = "subject_access", _("A subject access export (everything held)")
    CORRECTIONS = "corrections", _("What the record held before changes and corrections")
    RECTIFICATION = "rectification", _("A rectification request")


class AuditEvent(models.Model):
    """One read or change of a record, attributable to a user (or to the public form)."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    # The person whose record this touches, so an administrator can answer "who saw Ann's file?".
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    # For a view of someone's record: which part of it was on the page.
    # A database default too, for lines written in bulk below the application (the bench).
    part = models.CharField(
        max_length=20, choices=RecordPart.choices, blank=True, default="", db_default=""
    )
    # The hash chain (see `chain`): this event's place in it, the hash of the event before it,
    # and its own hash over its contents and `prev_hash`. Empty only for a line written below
    # the application, which `verify_audit` reports.
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    # A database default too, so a line inserted below the application (a bench's COPY) is
    # accepted, and then reported by verify_audit as outside the chain.
    prev_hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")
    hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "at"]),
            # The log's order, newest first, and its keyset pages (core.keyset).
            models.Index(fields=["at", "id"], name="audit_event_at_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("The audit log is append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # Outside a transaction (a page view) this makes one, so the chain's lock is held only
        # for this line; inside one, until it commits.
        with transaction.atomic(using=using):
            chain.link([self], using=using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The audit log is append-only.")


class ChainRewrite(AppendOnlyModel):
    """An audit line anonymised after it was written, by retention or an erasure (decision
    0027): its place in the chain, its hash before and its hash after. The line keeps its
    `prev_hash`; the line after it still links to `old_hash`. Every rewrite is announced by a
    chained line written in the same transaction (`announced_by`, its `seq`) whose detail ends
    with a SHA-256 over the rewrites it announces, so the rewrites themselves can't be changed
    or added to afterwards without `verify_audit` saying so. Append-only."""

    seq = models.PositiveBigIntegerField(db_index=True)
    old_hash = models.CharField(max_length=64)
    new_hash = models.CharField(max_length=64)
    announced_by = models.PositiveBigIntegerField(db_index=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq", "pk"]

    def __str__(self) -> str:
        return f"{self.seq}: {self.old_hash[:8]} -> {self.new_hash[:8]}"
