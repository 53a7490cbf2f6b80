"""The wording every kind of letter starts with, in English and Welsh (`letters.defaults`),
which managers change afterwards. Reversing removes only the wording nobody has changed."""

from django.db import migrations


def seed(apps, schema_editor):
    from linkwork.letters.defaults import DEFAULT_TEMPLATES

    LetterTemplate = apps.get_model("letters", "LetterTemplate")
    for (kind, language), (subject, body) in DEFAULT_TEMPLATES.items():
        LetterTemplate.objects.get_or_create(
            kind=str(kind), language=language, defaults={"subject": subject, "body": body}
        )


def unseed(apps, schema_editor):
    apps.get_model("letters", "LetterTemplate").objects.filter(updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
