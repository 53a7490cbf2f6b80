"""`manage.py load_demo`: replace the database's contents with the demo service."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from linkwork.demo import service as demo
from linkwork.referrals.status import ReferralStatus


class Command(BaseCommand):
    help = (
        "Load the demo service: two sites, their partners and pathways, staff accounts "
        f"(password {demo.PASSWORD!r}), about sixty referrals in progress and the finished "
        "cases of the months before. Deletes every existing "
        "referral, person, pathway, organisation, site, user and audit event first, so it can "
        "be run again to start afresh."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Only for a database that holds nothing real.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo deletes every referral, person and user in the database, and DEBUG "
                "is off, so this may be a real service. If this database really is only a "
                "demo, run it again with --force."
            )
        counts = demo.load()
        self.stdout.write(self.style.SUCCESS("Loaded the demo service."))
        statuses = list(ReferralStatus)
        width = max(len(status.label) for status in statuses)
        self.stdout.write(f"{'':{width}}  " + "  ".join(f"{site:>15}" for site in counts))
        for status in statuses:
            row = "  ".join(f"{site_counts[status]:>15}" for site_counts in counts.values())
            self.stdout.write(f"{status.label:{width}}  {row}")
        self.stdout.write(
            f"Sign in as manager, coordinator, coordinator2, coordinator3, referrer, researcher, "
            f"trialmanager or admin, with the password {demo.PASSWORD}."
        )
