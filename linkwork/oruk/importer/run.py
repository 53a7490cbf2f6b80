"""Running an import: `run_import` (a parsed feed, now), `run_directory_import` (a queued one,
from its uploaded payload or its URL), `describe` (a feed's shape, without the database) and
`fail_abandoned_imports` (for the sweep). Each import is recorded on its `DirectoryImport` row
and in the audit log; any failure leaves the directory as it was.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.directory.models import DirectoryImport, ImportStatus

from .feed import Feed
from .fetch import fetch, kind_hint, load_json
from .records import REPORT_ORDER
from .report import (
    CREATED,
    E_ABANDONED,
    E_UNEXPECTED,
    ERROR,
    INFO,
    M_EMPTY,
    RESULTS,
    UPDATED,
    FeedError,
    Progress,
    Report,
    message,
    render_message,
)

logger = logging.getLogger(__name__)


def describe(data: Any, *, source: str = "") -> dict[str, int]:
    """How many records of each kind a feed holds, without touching the database. Raises
    FeedError when the feed is not one Linkwork can import."""
    feed = Feed(hint=kind_hint(source))
    feed.collect(data)
    counts: dict[str, int] = {}
    for kind, _key in feed.records:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _import(
    data: Any,
    *,
    by=None,
    dry_run: bool = False,
    directory_import: DirectoryImport | None = None,
    source: str = "",
    progress: Progress | None = None,
) -> Report:
    """Collect, check and apply. Raises on any failure, leaving the directory as it was."""
    feed = Feed(hint=kind_hint(source))
    feed.collect(data)
    if progress is None and directory_import is not None:
        progress = _progress_writer(directory_import)
    feed.check(progress)
    report = Report(dry_run=dry_run)
    with transaction.atomic():
        feed.apply(by=by, directory_import=directory_import, progress=progress)
        entries = [
            record.entry()
            for record in sorted(
                feed.records.values(), key=lambda r: (REPORT_ORDER.index(r.kind), r.order)
            )
        ]
        entries += [record.entry() for record in feed.unknown + feed.unplaced()]
        notes = list(feed.notes)
        if not entries:
            notes.append(message(INFO, M_EMPTY))
        if notes:
            entries.insert(
                0, {"kind": "feed", "id": "", "name": "", "result": "", "messages": notes}
            )
        report.entries = entries
        if dry_run:
            transaction.set_rollback(True)
        elif directory_import is not None:
            counts = report.counts
            audit.record(
                by=by,
                action=AuditAction.CHANGE,
                obj=directory_import,
                fields=sorted({e["kind"] for e in entries if e["result"] in (CREATED, UPDATED)}),
                detail="ORUK import: " + _totals_detail(counts),
            )
            total = len(feed.records)
            DirectoryImport.objects.filter(pk=directory_import.pk).update(
                status=ImportStatus.SUCCEEDED,
                counts=counts,
                report=entries,
                total=total,
                processed=total,
                error="",
                finished_at=timezone.now(),
            )
    return report


def _totals_detail(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(name, 0)} {name}" for name in (*RESULTS, "warnings"))


def _progress_writer(directory_import: DirectoryImport) -> Progress:
    """Writes how many records have been checked to the import's row, at most twice a second.
    Only the checking stage is written: saving happens in one transaction, which nobody else
    sees until it commits."""
    last = [0.0]

    def write(stage: str, done: int, total: int) -> None:
        if stage != "checking":
            return
        now = time.monotonic()
        if done < total and now - last[0] < 0.5:
            return
        last[0] = now
        DirectoryImport.objects.filter(pk=directory_import.pk).update(processed=done, total=total)

    return write


def run_import(
    data: Any,
    *,
    by=None,
    dry_run: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> Report:
    """Import a parsed feed (what `load_json` or `fetch` answer) now.

    With `dry_run`, everything is checked and applied, then rolled back: the report says what
    would happen, nothing is kept and no DirectoryImport is written. Otherwise a
    DirectoryImport is written for the import, as the web page's are. Never raises for a bad
    feed or a failure: `report.failed` and `report.error` say what went wrong.
    """
    if dry_run:
        try:
            return _import(data, by=by, dry_run=True, source=source, progress=progress)
        except FeedError as error:
            return Report(dry_run=True, error=error.message)
        except Exception as error:  # a dry run fails like a real one: with the class name only
            logger.error("Directory import dry run failed: %s", type(error).__name__)
            return Report(
                dry_run=True, error=message(ERROR, E_UNEXPECTED, error=type(error).__name__)
            )
    directory_import = DirectoryImport.objects.create(
        source=(source or "JSON")[:500],
        status=ImportStatus.RUNNING,
        started_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return _run(directory_import, lambda: data, progress=progress)


def run_directory_import(
    directory_import: DirectoryImport | int, *, progress: Progress | None = None
) -> Report:
    """Run a queued import: its uploaded payload, or the feed at its source URL. Used by the
    background task and the `import_oruk` command."""
    if not isinstance(directory_import, DirectoryImport):
        directory_import = DirectoryImport.objects.get(pk=directory_import)

    def read() -> Any:
        if directory_import.payload:
            return load_json(directory_import.payload)
        return fetch(directory_import.source, progress=progress)

    return _run(directory_import, read, progress=progress)


def _run(directory_import: DirectoryImport, read: Callable[[], Any], *, progress) -> Report:
    DirectoryImport.objects.filter(pk=directory_import.pk).update(
        status=ImportStatus.RUNNING, processed=0, total=0, error=""
    )
    by = directory_import.started_by
    try:
        data = read()
        report = _import(
            data,
            by=by,
            directory_import=directory_import,
            source=directory_import.source,
            progress=_both(progress, _progress_writer(directory_import)),
        )
    except FeedError as error:
        return _fail(directory_import, error.message)
    except Exception as error:  # any failure leaves the directory as it was
        # The class name only: an exception's text can quote the feed.
        logger.error("Directory import %s failed: %s", directory_import.pk, type(error).__name__)
        return _fail(directory_import, message(ERROR, E_UNEXPECTED, error=type(error).__name__))
    directory_import.refresh_from_db()
    return report


def fail_abandoned_imports(older_than: datetime.timedelta) -> int:
    """Mark imports still waiting or running after `older_than` as failed. The save is one
    transaction, so an import whose worker died changed nothing; without this it would show
    "Importing" for ever. Returns how many were marked."""
    cutoff = timezone.now() - older_than
    stuck = DirectoryImport.objects.filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], created_at__lt=cutoff
    )
    marked = 0
    for directory_import in stuck:
        _fail(directory_import, message(ERROR, E_ABANDONED))
        marked += 1
    return marked


def _both(*progresses: Progress | None) -> Progress:
    def call(stage: str, done: int, total: int) -> None:
        for progress in progresses:
            if progress is not None:
                progress(stage, done, total)

    return call


def _fail(directory_import: DirectoryImport, error: dict) -> Report:
    entry = {"kind": "feed", "id": "", "name": "", "result": "failed", "messages": [error]}
    with transaction.atomic():
        DirectoryImport.objects.filter(pk=directory_import.pk).update(
            status=ImportStatus.FAILED,
            error=_english(error),
            report=[entry],
            counts={},
            finished_at=timezone.now(),
        )
        audit.record(
            by=directory_import.started_by,
            action=AuditAction.CHANGE,
            obj=directory_import,
            detail="ORUK import failed: nothing changed",
        )
    directory_import.refresh_from_db()
    return Report(error=error)


def _english(msg: dict) -> str:
    from django.utils import translation

    with translation.override("en-gb"):
        return render_message(msg)
