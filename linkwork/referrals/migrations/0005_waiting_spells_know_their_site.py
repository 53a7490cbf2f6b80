import django.db.models.deletion
from django.db import migrations, models


def derive_from_history(apps, schema_editor):
    from linkwork.referrals.derived import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("referrals", "0004_triaged_at_and_waiting_spells"),
    ]

    operations = [
        migrations.AddField(
            model_name="waitingspell",
            name="site",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partners.site",
            ),
        ),
        migrations.AddField(
            model_name="waitingspell",
            name="pathway",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="referrals.pathway",
            ),
        ),
        # Triage times and spells are derived from the status history: make them (0004 only
        # made the column and the table), each spell with its referral's site and pathway.
        migrations.RunPython(derive_from_history, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="waitingspell",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="partners.site"
            ),
        ),
        migrations.AlterField(
            model_name="waitingspell",
            name="pathway",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="referrals.pathway",
            ),
        ),
    ]
