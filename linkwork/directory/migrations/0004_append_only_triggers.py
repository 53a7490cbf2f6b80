# The database refuses UPDATE, DELETE and TRUNCATE on the append-only tables (issue 15).

from django.db import migrations

from linkwork.audit.guard import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_category_welsh_names"),
    ]

    operations = [
        AppendOnly("AvailabilityChange"),
    ]
