"""Unmet needs move from the directory app to their own (decision 0009).

The model and its rows stay as they were: the state is taken over from `directory` (without
touching the database), then the table is renamed to this app's name.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("directory", "0001_initial"),
        ("partners", "0002_site_max_active_goals_site_support_weeks_and_more"),
        ("referrals", "0003_closed_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="UnmetNeed",
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
                        ("area", models.CharField(max_length=100, verbose_name="area")),
                        ("note", models.TextField(blank=True, verbose_name="what was needed")),
                        (
                            "recorded_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "category",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="unmet_needs",
                                to="directory.taxonomyterm",
                                verbose_name="kind of need",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="unmet_needs",
                                to="referrals.referral",
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="partners.site",
                                verbose_name="site",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "directory_unmetneed",
                        "verbose_name": "unmet need",
                        "ordering": ["-recorded_at", "-pk"],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="unmetneed", table=None),
    ]
