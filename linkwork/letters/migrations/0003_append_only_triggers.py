# The database refuses UPDATE, DELETE and TRUNCATE on the append-only tables (issue 15).

from django.db import migrations

from linkwork.audit.guard import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0002_default_templates"),
    ]

    operations = [
        AppendOnly("Letter"),
    ]
