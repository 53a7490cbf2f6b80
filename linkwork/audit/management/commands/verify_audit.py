"""`manage.py verify_audit`: check that no audit event was changed or removed."""

from django.core.management.base import BaseCommand, CommandError

from linkwork.audit.verify import verify


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain from the first event to the last and report the first "
        "broken link: an event changed after it was written, events missing, or a line written "
        "outside the chain. Prints the latest event's number and hash: write them down somewhere "
        "the database can't reach, and pass them back with --anchor to check that nothing after "
        "was rewritten. Exits with status 1 when the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--anchor",
            metavar="NUMBER:HASH",
            help="A head printed by an earlier run: check the event with that number still has "
            "that hash.",
        )

    def handle(self, *args, database: str, anchor: str | None, **options):
        result = verify(using=database)
        problems = []
        if result.broken:
            problems.append(f"Chain broken at {result.broken}")
        if result.unchained:
            problems.append(
                f"{result.unchained} event(s) have no place in the chain: written below the "
                "application."
            )
        if anchor:
            problems.extend(self._check_anchor(anchor, database))
        if problems:
            raise CommandError(
                f"{result.count} events checked before the first problem.\n" + "\n".join(problems),
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"{result.count} events, chain intact.")
            + f"\nHead: {result.head_seq}:{result.head_hash}"
        )

    def _check_anchor(self, anchor: str, database: str) -> list[str]:
        from linkwork.audit.models import AuditEvent

        number, _, expected = anchor.partition(":")
        if not number.isdigit() or len(expected) != 64:
            raise CommandError("--anchor takes NUMBER:HASH, as a previous run printed it.")
        found = (
            AuditEvent._base_manager.using(database)
            .filter(seq=int(number))
            .values_list("hash", flat=True)
            .first()
        )
        if found is None:
            return [f"The anchored event {number} is no longer in the chain."]
        if found != expected and expected not in self._earlier_hashes(int(number), database):
            return [f"The anchored event {number} has a different hash: the chain was rewritten."]
        return []

    def _earlier_hashes(self, number: int, database: str) -> set[str]:
        """The hashes an event had before retention or an erasure anonymised it (decision
        0027): an anchor taken then still holds, the rewrite being recorded and announced."""
        from linkwork.audit.verify import original_hash, rewrites

        rewritten = rewrites(using=database)
        history = rewritten.get(number, [])
        from linkwork.audit.models import AuditEvent

        event = AuditEvent._base_manager.using(database).get(seq=number)
        if not history or original_hash(event, rewritten) is None:
            return set()
        return {row.old_hash for row in history}
