"""Social prescriptions point at the community directory's services.

Each old `CommunityService` becomes a `directory.Service` (with an organisation, its phone, its
sites and a first availability record), and every prescription is moved across before the old
table goes.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def move_services(apps, schema_editor):
    Old = apps.get_model("prescriptions", "CommunityService")
    Prescription = apps.get_model("prescriptions", "SocialPrescription")
    Organization = apps.get_model("directory", "Organization")
    Service = apps.get_model("directory", "Service")
    Phone = apps.get_model("directory", "Phone")
    AvailabilityChange = apps.get_model("directory", "AvailabilityChange")
    for old in Old.objects.all():
        org_name = old.organisation_name or old.name
        organization = Organization.objects.filter(name=org_name).first()
        if organization is None:
            organization = Organization.objects.create(name=org_name)
        availability = "open" if old.is_open else "temporarily_closed"
        service = Service.objects.create(
            organization=organization,
            name=old.name,
            description=old.description,
            referral_email=old.contact_email,
            availability=availability,
            availability_note=old.status_note,
            created_at=old.created_at,
        )
        service.sites.set(old.sites.all())
        if old.phone:
            Phone.objects.create(service=service, number=old.phone)
        AvailabilityChange.objects.create(
            service=service,
            availability=availability,
            note=old.status_note,
            effective_on=timezone.localdate(),
        )
        Prescription.objects.filter(service=old).update(directory_service=service)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("prescriptions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="socialprescription",
            name="directory_service",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.service",
            ),
        ),
        migrations.RunPython(move_services, migrations.RunPython.noop),
        migrations.RemoveField(model_name="socialprescription", name="service"),
        migrations.RenameField(
            model_name="socialprescription", old_name="directory_service", new_name="service"
        ),
        migrations.AlterField(
            model_name="socialprescription",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="prescriptions",
                to="directory.service",
                verbose_name="service",
            ),
        ),
        migrations.DeleteModel(name="CommunityService"),
    ]
