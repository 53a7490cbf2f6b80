"""The staff search (issue 14): each person's name folded and phone number's digits, filled in
for everyone already here, with trigram indexes on PostgreSQL so part of a name or number is
found without reading every person."""

from django.db import migrations, models

from linkwork.referrals.search import fold, phone_digits

BATCH = 2000
TRIGRAM_INDEXES = {
    "person_search_name_trgm": "search_name",
    "person_search_phone_trgm": "search_phone",
}


def fill(apps, schema_editor):
    person_model = apps.get_model("referrals", "Person")
    people = person_model.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while batch := list(
        people.filter(pk__gt=last).only("given_name", "family_name", "phone")[:BATCH]
    ):
        for person in batch:
            person.search_name = fold(f"{person.given_name} {person.family_name}")[:201]
            person.search_phone = phone_digits(person.phone)[:30]
        person_model.objects.using(schema_editor.connection.alias).bulk_update(
            batch, ["search_name", "search_phone"]
        )
        last = batch[-1].pk


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite compares every row: fine at the size of service that runs on it.
    table = apps.get_model("referrals", "Person")._meta.db_table
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0006_triage_queue_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=201),
        ),
        migrations.AddField(
            model_name="person",
            name="search_phone",
            field=models.CharField(blank=True, editable=False, max_length=30),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
