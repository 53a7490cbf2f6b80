# The database refuses UPDATE, DELETE and TRUNCATE on the append-only tables (issue 15).

from django.db import migrations

from linkwork.audit.guard import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0003_flag_notes_as_codes"),
    ]

    operations = [
        AppendOnly("EscalationChase"),
    ]
