# The database refuses UPDATE, DELETE and TRUNCATE on the append-only tables (issue 15).

from django.db import migrations

from linkwork.audit.guard import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0003_stratum_words_from_the_key"),
    ]

    operations = [
        AppendOnly("AllocationNote"),
    ]
