"""What the "My caseload" page shows about each person, from every part of the service, without
this app importing them: casework adds the last and next contact, the weeks left and the goals;
outcomes the measures due; safeguarding the risk flags and checks; prescriptions those needing
attention. Each registers a column in its `AppConfig.ready()`:

    from linkwork.referrals.caseload import register_caseload_column

    register_caseload_column("outcomes.measures_due", _("Measures due"), measures_due_facts)

A column's facts are `(referrals, today) -> {referral id: Fact}`, read for the whole caseload
at once (a query or two, however many people). A fact that `needs_action` puts its person
higher on the page, and in the "Needs action" filter.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Referral


@dataclass(frozen=True)
class Fact:
    text: str
    sort: Any = None  # what the column sorts by (None last)
    needs_action: bool = False
    colour: str = ""  # a GOV.UK tag colour, to show the text as a tag


Facts = Callable[[list[Referral], datetime.date], dict[int, Fact]]


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    facts: Facts
    position: int = 50


_columns: dict[str, Column] = {}


def register_caseload_column(key: str, heading, facts: Facts, *, position: int = 50) -> None:
    """Add (or, under the same key, replace) a column of the caseload page; columns stand in
    the order of their `position`."""
    _columns[key] = Column(key, heading, facts, position)


def caseload_columns() -> list[Column]:
    return sorted(_columns.values(), key=lambda column: column.position)


@dataclass
class Row:
    referral: Referral
    cells: list[Fact | None]

    @property
    def actions(self) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.needs_action)


def caseload_rows(
    referrals: list[Referral], today: datetime.date
) -> tuple[list[Column], list[Row]]:
    """The columns, and a row per person with each column's fact (None where it has none)."""
    columns = caseload_columns()
    facts = [column.facts(referrals, today) for column in columns]
    rows = [Row(referral, [f.get(referral.pk) for f in facts]) for referral in referrals]
    return columns, rows


def sorted_rows(rows: list[Row], columns: list[Column], by: str) -> list[Row]:
    """Those needing most action first (then by name), or by one column (`by` its key: empty
    values last, then by name)."""

    def name(row: Row):
        person = row.referral.person
        return (person.family_name.lower(), person.given_name.lower(), row.referral.pk)

    keys = [column.key for column in columns]
    if by in keys:
        index = keys.index(by)

        def value(row: Row):
            cell = row.cells[index]
            missing = cell is None or cell.sort is None
            return (missing, None if missing else cell.sort, name(row))

        return sorted(rows, key=value)
    if by == "name":
        return sorted(rows, key=name)
    return sorted(rows, key=lambda row: (-row.actions, name(row)))
