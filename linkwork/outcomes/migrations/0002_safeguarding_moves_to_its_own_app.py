"""Safeguarding is now the `safeguarding` app's: its models leave this app's state only (the
tables and rows are the safeguarding app's from its 0001).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_outcome_measures_and_safeguarding"),
        ("safeguarding", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name="escalation",
                    name="outcomes_es_respond_025bf0_idx",
                ),
                migrations.RemoveField(
                    model_name="escalationchase",
                    name="escalation",
                ),
                migrations.RemoveField(
                    model_name="escalationchase",
                    name="by",
                ),
                migrations.RemoveConstraint(
                    model_name="escalationreminder",
                    name="one_reminder_per_due_date",
                ),
                migrations.RemoveIndex(
                    model_name="riskflag",
                    name="outcomes_ri_person__d63ba6_idx",
                ),
                migrations.RemoveField(
                    model_name="safeguardingconcern",
                    name="closed_by",
                ),
                migrations.RemoveField(
                    model_name="safeguardingconcern",
                    name="raised_by",
                ),
                migrations.RemoveField(
                    model_name="safeguardingconcern",
                    name="referral",
                ),
                migrations.RemoveConstraint(
                    model_name="safeguardingprompt",
                    name="handled_prompt_says_what_was_done",
                ),
                migrations.RemoveField(
                    model_name="escalation",
                    name="by",
                ),
                migrations.RemoveField(
                    model_name="escalation",
                    name="concern",
                ),
                migrations.RemoveField(
                    model_name="escalation",
                    name="response_recorded_by",
                ),
                migrations.DeleteModel(
                    name="EscalationChase",
                ),
                migrations.RemoveField(
                    model_name="escalationreminder",
                    name="escalation",
                ),
                migrations.RemoveField(
                    model_name="riskflag",
                    name="ended_by",
                ),
                migrations.RemoveField(
                    model_name="riskflag",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="riskflag",
                    name="raised_by",
                ),
                migrations.RemoveField(
                    model_name="riskflag",
                    name="referral",
                ),
                migrations.RemoveField(
                    model_name="safeguardingprompt",
                    name="concern",
                ),
                migrations.RemoveField(
                    model_name="safeguardingprompt",
                    name="handled_by",
                ),
                migrations.RemoveField(
                    model_name="safeguardingprompt",
                    name="measure",
                ),
                migrations.RemoveField(
                    model_name="safeguardingprompt",
                    name="referral",
                ),
                migrations.DeleteModel(
                    name="Escalation",
                ),
                migrations.DeleteModel(
                    name="EscalationReminder",
                ),
                migrations.DeleteModel(
                    name="RiskFlag",
                ),
                migrations.DeleteModel(
                    name="SafeguardingConcern",
                ),
                migrations.DeleteModel(
                    name="SafeguardingPrompt",
                ),
            ],
        ),
    ]
