"""The trial's pseudonymised export: one zip for the trial statistician. `build` makes the zip;
`make` runs a queued `TrialExport` (the worker's task, `tasks.make_export`).

What is in it:

- `data.csv`, or `data.xlsx` with the sheets "data", "dictionary" and "readme": the analysis
  data set of `dataset.rows`, one row per randomised participant, in the order of their
  pseudonyms (not the order of randomisation);
- `data_dictionary.csv`: each column's name, description, type and the values it may hold;
- `consort.svg`: the CONSORT 2010 flow diagram, counted from the records (`flow.consort_flow`);
- `README.txt`: the trial's design (registration, arms and ratio, stratification, time points,
  primary outcome), its closure if it has closed, how the pseudonyms and times were made, what
  was left out, the CONSORT flow as text, and when the export was made.

Nothing about a participant goes in but what `dataset` puts in a row: no name, contact detail,
NHS number, address, date of birth, referral reference, record id or free text, and no date
(randomisation is a month, every other time a number of days or weeks after it). The trial's
own dates (recruitment, closure) and the time the export was made are in the README.

CSV is written by the `csv` module (UTF-8, comma-separated, a header row) and Excel by
openpyxl. Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
a carriage return) gets a leading apostrophe in the data, the dictionary and the workbook's
sheets, though the data set holds codes.
The block sizes of the randomisation are not given: the export may be made while the trial is
still recruiting, and they would help guess the next allocation.
"""

import csv
import datetime
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from linkwork.core.spreadsheets import spreadsheet_safe
from linkwork.outcomes.instruments import get_instrument

from . import dataset
from .consort import render_svg, render_text
from .flow import consort_flow
from .models import (
    KEEP_EXPORTS_FOR_DAYS,
    ExportFormat,
    ExportStatus,
    StratificationFactor,
    Trial,
    TrialExport,
)

logger = logging.getLogger(__name__)

DATA_CSV = "data.csv"
DATA_XLSX = "data.xlsx"
DICTIONARY = "data_dictionary.csv"
CONSORT_SVG = "consort.svg"
README = "README.txt"

#: The columns of the data dictionary (machine-readable names, like the data's own).
DICTIONARY_HEADER = ("column", "description", "type", "values")

#: What a spreadsheet would read as the start of a formula.

YES, NO = "yes", "no"

BULLET = "* "

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Built:
    content: bytes  # the zip
    rows: int


def _cell(value):
    """A data set value as it is written: yes/no for booleans, "" for a missing value (None
    in Excel), numbers as they are, text guarded against formulas."""
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return spreadsheet_safe(str(value))


def _csv_bytes(header, rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode("utf-8")


def _values(column: dataset.Column) -> str:
    if column.values:
        return column.values
    if column.kind == "yes/no":
        return f"{YES}; {NO}"
    if column.kind == "month":
        return "YYYY-MM"
    return ""


def dictionary_rows(columns: list[dataset.Column]) -> list[list[str]]:
    return [
        [_cell(c.name), _cell(str(c.description)), _cell(c.kind), _cell(_values(c))]
        for c in columns
    ]


def data_rows(columns: list[dataset.Column], rows: list[dict]) -> list[list]:
    """The data set's rows as lists in the dictionary's column order, sorted by pseudonym so
    that the order says nothing about when anyone was randomised."""
    ordered = sorted(rows, key=lambda row: row["participant"])
    return [[_cell(row.get(c.name)) for c in columns] for row in ordered]


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _list(items) -> str:
    return "; ".join(str(item) for item in items)


def readme_lines(
    trial: Trial,
    *,
    fmt: str,
    rows: int,
    consort_text: list[str],
    generated_at: datetime.datetime,
) -> list[str]:
    """The README, line by line, in the active language."""
    arms = list(trial.arms.all())
    factors = [str(StratificationFactor(f).label) for f in trial.stratify_by]
    weeks = list(trial.timepoints.values_list("weeks", flat=True))
    data_file = DATA_XLSX if fmt == ExportFormat.XLSX else DATA_CSV
    lines = [
        trial.name,
        "",
        _("Pseudonymised data set of the trial, for analysis."),
        _("Generated: %(when)s") % {"when": _when(generated_at)},
        _("Registration: %(registration)s")
        % {"registration": trial.registration or _("not registered")},
        _("Status: %(status)s") % {"status": trial.get_status_display()},
    ]
    if trial.is_closed:
        lines.append(_("Closed on: %(date)s") % {"date": trial.closed_on.isoformat()})
        lines.append(
            _("Why the trial closed (in the trial manager's words): %(reason)s")
            % {"reason": trial.closure_reason}
        )
    lines += [
        _("Recruitment planned from %(start)s to %(end)s")
        % {"start": trial.starts_on.isoformat(), "end": trial.ends_on.isoformat()},
        _("Participants in the data set: %(n)s") % {"n": rows},
        "",
        _("Design"),
        "",
        _("Arms:"),
    ]
    for arm in arms:
        if arm.delay_days:
            when = _("support starts %(days)s days after randomisation") % {"days": arm.delay_days}
        else:
            when = _("support may start at once")
        control = _(" (the comparison arm)") if arm.is_control else ""
        lines.append(
            BULLET
            + _("%(arm)s%(control)s: ratio %(ratio)s, %(when)s")
            % {"arm": arm.name, "control": control, "ratio": arm.ratio, "when": when}
        )
    lines += [
        _("Allocation ratio: %(ratio)s") % {"ratio": ":".join(str(arm.ratio) for arm in arms)},
        _("Stratified by: %(factors)s") % {"factors": _list([_("site"), *factors])},
        _(
            "Randomisation: concealed, in permuted blocks of random size within each stratum. "
            "The block sizes are not given here, so that the next allocation cannot be guessed "
            "while the trial recruits."
        ),
        _("Outcome measures: %(instruments)s")
        % {"instruments": _list(get_instrument(code).name for code in trial.instruments)},
        _("Time points: %(points)s")
        % {
            "points": _list(
                [
                    _("baseline (before randomisation)"),
                    *(_("%(weeks)s weeks after randomisation") % {"weeks": w} for w in weeks),
                ]
            )
        },
        _("Primary outcome: %(instrument)s at %(weeks)s weeks after randomisation")
        % {
            "instrument": get_instrument(trial.primary_instrument).name,
            "weeks": trial.primary_weeks,
        },
        "",
        _("Files"),
        "",
        BULLET + _("%(file)s: the data, one row per randomised participant") % {"file": data_file},
        BULLET + _("%(file)s: what each column holds") % {"file": DICTIONARY},
        BULLET + _("%(file)s: the CONSORT 2010 flow diagram") % {"file": CONSORT_SVG},
        BULLET + _("%(file)s: this file") % {"file": README},
    ]
    if fmt == ExportFormat.XLSX:
        lines.append(
            _(
                "The workbook has three sheets: data, dictionary (as %(file)s) and readme (as "
                "this file)."
            )
            % {"file": DICTIONARY}
        )
    else:
        lines.append(
            _(
                "The CSV files are UTF-8, separated by commas, with a header row. An empty cell "
                "is a missing value."
            )
        )
    lines += [
        "",
        _("How the data were pseudonymised"),
        "",
        _(
            "Pseudonyms: each participant's pseudonym is a keyed hash (HMAC-SHA256) of the "
            "trial and their record in Linkwork. The key is a secret of the installation "
            "(TRIAL_PSEUDONYM_KEY), held by its administrators, not by the trial team. A "
            "participant has the same pseudonym in every export of this trial; without the "
            "key, nobody can work back from a pseudonym to the person. If the installation's "
            "key is changed, every pseudonym changes."
        ),
        _(
            "Dates: no date about a participant is given. Randomisation is given as a month "
            "(YYYY-MM); every other time is a number of days or weeks after randomisation (a "
            "negative number is before it)."
        ),
        _(
            "Left out: names, contact details, NHS numbers, addresses, dates of birth, "
            "referral references, record numbers and anything written in free text. "
            "Participants who withdrew and asked that none of their data be used are left out "
            "of the data (the CONSORT diagram counts them)."
        ),
        _("Order: the rows are sorted by pseudonym, not in the order people were randomised."),
        _(
            "Text that starts with =, +, - or @ has an apostrophe put before it, so that a "
            "spreadsheet does not run it as a formula."
        ),
        "",
        _("CONSORT flow (as drawn in %(file)s)") % {"file": CONSORT_SVG},
        "",
    ]
    for box in consort_text:
        lines += [*box.split("\n"), ""]
    return lines


def _sheet(workbook: Workbook, title: str, header, rows, *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    if header is not None:
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                for value in row
            ]
        )
    return sheet


def _xlsx_bytes(header, rows, dictionary, readme, generated_at) -> bytes:
    workbook = Workbook()
    moment = generated_at.astimezone(datetime.UTC).replace(tzinfo=None)
    workbook.properties.creator = "Linkwork"
    workbook.properties.created = moment
    workbook.properties.modified = moment
    _sheet(workbook, "data", header, rows, first=True)
    _sheet(workbook, "dictionary", DICTIONARY_HEADER, dictionary)
    readme_sheet = _sheet(workbook, "readme", None, [[spreadsheet_safe(line)] for line in readme])
    readme_sheet.column_dimensions["A"].width = 120
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build(
    trial: Trial,
    *,
    fmt: str,
    progress: Progress | None = None,
    generated_at: datetime.datetime | None = None,
) -> Built:
    """The export's zip. Raises `pseudonyms.PseudonymKeyMissing` without the key."""
    generated_at = generated_at or timezone.now()
    columns = dataset.columns(trial)
    found = dataset.rows(trial, progress=progress)
    header = [c.name for c in columns]
    rows = data_rows(columns, found)
    dictionary = dictionary_rows(columns)
    flow, _groups = consort_flow(trial)
    readme = readme_lines(
        trial,
        fmt=fmt,
        rows=len(rows),
        consort_text=render_text(flow),
        generated_at=generated_at,
    )
    stamp = timezone.localtime(generated_at).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # readable once unzipped, as a saved file is
            archive.writestr(info, data)

        if fmt == ExportFormat.XLSX:
            add(DATA_XLSX, _xlsx_bytes(header, rows, dictionary, readme, generated_at))
        else:
            add(DATA_CSV, _csv_bytes(header, rows))
        add(DICTIONARY, _csv_bytes(DICTIONARY_HEADER, dictionary))
        add(CONSORT_SVG, render_svg(flow).encode("utf-8"))
        add(README, ("\n".join(readme).rstrip() + "\n").encode("utf-8"))
    return Built(content=out.getvalue(), rows=len(rows))


# --- Making an export (in the worker) -------------------------------------------------------------


def _filename(trial: Trial, fmt: str, moment: datetime.datetime) -> str:
    name = trial.registration or f"trial-{trial.pk}"
    return f"{name}-data-{fmt}-{timezone.localtime(moment):%Y%m%d-%H%M}.zip"


def make(export_id: int) -> str:
    """Make a queued export: build its zip, writing progress to its row as it goes, and keep
    the file for `KEEP_EXPORTS_FOR_DAYS`. Answers the export's status. An export already
    claimed by another worker, or finished, is left alone. A failure is logged and recorded
    by the kind of error only: its text could quote the data."""
    claimed = TrialExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), total=0, processed=0, error=""
    )
    if not claimed:
        return TrialExport.objects.filter(pk=export_id).values_list("status", flat=True).first()
    export = TrialExport.objects.defer("content").select_related("trial").get(pk=export_id)

    def progress(done: int, total: int) -> None:
        TrialExport.objects.filter(pk=export_id).update(processed=done, total=total)

    try:
        with translation.override(export.language or settings.LANGUAGE_CODE):
            built = build(export.trial, fmt=export.format, progress=progress)
    except Exception as error:  # any failure: record its kind, never its text
        logger.error("Trial export %s failed: %s", export_id, type(error).__name__)
        fail(export_id, type(error).__name__)
        return ExportStatus.FAILED.value
    finished = timezone.now()
    done = TrialExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE,
        content=built.content,
        size=len(built.content),
        rows=built.rows,
        filename=_filename(export.trial, export.format, finished),
        finished_at=finished,
        expires_at=finished + datetime.timedelta(days=KEEP_EXPORTS_FOR_DAYS),
    )
    if not done:  # failed by the sweep meanwhile, as abandoned
        return TrialExport.objects.filter(pk=export_id).values_list("status", flat=True).first()
    return ExportStatus.DONE.value


def fail(export_id: int, kind: str) -> None:
    """Mark the export failed; `kind` is what went wrong, without any data (a class name)."""
    TrialExport.objects.filter(
        pk=export_id, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
    ).update(status=ExportStatus.FAILED, error=kind[:200], finished_at=timezone.now())
