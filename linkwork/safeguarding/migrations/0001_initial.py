"""Safeguarding moves from the outcomes app to its own (decision 0007).

The models and their rows stay where they are: this app takes over their state from `outcomes`
without touching the database (0002 then gives the tables this app's names).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("outcomes", "0001_outcome_measures_and_safeguarding"),
        ("referrals", "0003_closed_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Escalation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "to",
                            models.CharField(
                                choices=[
                                    ("social_services", "Social services"),
                                    ("police", "Police"),
                                    ("crisis_team", "Crisis team"),
                                    ("gp", "GP"),
                                    ("ambulance", "Ambulance service"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="escalated to",
                            ),
                        ),
                        (
                            "to_detail",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="team or person"
                            ),
                        ),
                        ("at", models.DateTimeField(verbose_name="when")),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("phone", "Phone"),
                                    ("email", "Email"),
                                    ("online_form", "Online referral form"),
                                    ("letter", "Letter"),
                                    ("in_person", "In person"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="how",
                            ),
                        ),
                        (
                            "reference",
                            models.CharField(
                                blank=True, max_length=100, verbose_name="their reference number"
                            ),
                        ),
                        ("response_due", models.DateField(verbose_name="response due by")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "responded_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="response received"
                            ),
                        ),
                        ("response", models.TextField(blank=True, verbose_name="their response")),
                        (
                            "by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "response_recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "outcomes_escalation",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="EscalationChase",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="when"
                            ),
                        ),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("phone", "Phone"),
                                    ("email", "Email"),
                                    ("online_form", "Online referral form"),
                                    ("letter", "Letter"),
                                    ("in_person", "In person"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="how",
                            ),
                        ),
                        ("note", models.TextField(verbose_name="what was said")),
                        (
                            "next_due",
                            models.DateField(
                                blank=True, null=True, verbose_name="new response due date"
                            ),
                        ),
                        (
                            "by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "escalation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="chases",
                                to="safeguarding.escalation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "outcomes_escalationchase",
                        "ordering": ["at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="SafeguardingConcern",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("suicidal_thoughts", "Suicidal thoughts"),
                                    ("self_harm", "Self-harm"),
                                    ("falls", "Falls"),
                                    ("abuse", "Abuse or violence"),
                                    ("self_neglect", "Self-neglect"),
                                    ("domestic_abuse", "Domestic abuse"),
                                    ("risk_to_others", "Risk to others"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="risk",
                            ),
                        ),
                        ("summary", models.TextField(verbose_name="what happened")),
                        ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("outcome", models.TextField(blank=True, verbose_name="outcome")),
                        (
                            "closed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "raised_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="safeguarding_concerns",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "outcomes_safeguardingconcern",
                        "ordering": ["-raised_at"],
                    },
                ),
                migrations.AddField(
                    model_name="escalation",
                    name="concern",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="escalations",
                        to="safeguarding.safeguardingconcern",
                    ),
                ),
                migrations.CreateModel(
                    name="SafeguardingPrompt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("answer", models.PositiveSmallIntegerField()),
                        ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("handled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "action",
                            models.CharField(
                                blank=True,
                                choices=[
                                    (
                                        "safety_plan",
                                        "Talked it through with the person and agreed a safety plan",
                                    ),
                                    ("concern", "Raised a safeguarding concern"),
                                    ("crisis_team", "Contacted the crisis team"),
                                    ("emergency", "Called emergency services"),
                                    ("gp", "Contacted their GP"),
                                    ("no_risk", "Checked with the person: no current risk"),
                                    ("other", "Something else (say what)"),
                                ],
                                max_length=20,
                                verbose_name="what you did",
                            ),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="details")),
                        (
                            "concern",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="prompts",
                                to="safeguarding.safeguardingconcern",
                            ),
                        ),
                        (
                            "handled_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "measure",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="safeguarding_prompt",
                                to="outcomes.measure",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="safeguarding_prompts",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "outcomes_safeguardingprompt",
                        "ordering": ["-raised_at"],
                    },
                ),
                migrations.CreateModel(
                    name="EscalationReminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("due", models.DateField()),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "escalation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="safeguarding.escalation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "outcomes_escalationreminder",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("escalation", "due"), name="one_reminder_per_due_date"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RiskFlag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("suicidal_thoughts", "Suicidal thoughts"),
                                    ("self_harm", "Self-harm"),
                                    ("falls", "Falls"),
                                    ("abuse", "Abuse or violence"),
                                    ("self_neglect", "Self-neglect"),
                                    ("domestic_abuse", "Domestic abuse"),
                                    ("risk_to_others", "Risk to others"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="risk",
                            ),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="details")),
                        ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "end_reason",
                            models.TextField(
                                blank=True, verbose_name="why the flag is no longer needed"
                            ),
                        ),
                        (
                            "ended_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="risk_flags",
                                to="referrals.person",
                            ),
                        ),
                        (
                            "raised_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="risk_flags",
                                to="referrals.referral",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "outcomes_riskflag",
                        "ordering": ["-raised_at"],
                        "indexes": [
                            models.Index(
                                fields=["person", "ended_at"], name="outcomes_ri_person__d63ba6_idx"
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="escalation",
                    index=models.Index(
                        fields=["responded_at", "response_due"],
                        name="outcomes_es_respond_025bf0_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="safeguardingprompt",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("handled_at__isnull", True),
                            models.Q(("action", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="handled_prompt_says_what_was_done",
                    ),
                ),
            ],
        ),
    ]
