"""The shapes shared by every instrument: the instrument itself, its bands, and its results."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Default UCLA 3-item loneliness threshold: a total at or above it sets the "lonely" flag.
#: 6 is the cut-off used by the ONS and the Campaign to End Loneliness (totals 3-5 "not lonely",
#: 6-9 "lonely"). Pass ``threshold=`` to ``score()`` to use another.
DEFAULT_UCLA_THRESHOLD = 6


class InstrumentError(ValueError):
    """Answers that cannot be scored, or an instrument that does not exist."""


@dataclass(frozen=True)
class Band:
    """A published score band: ``low`` to ``high`` inclusive."""

    low: int
    high: int
    code: str
    label: Any  # a lazy translation

    def contains(self, value) -> bool:
        return self.low <= value <= self.high


def band_for(bands: Sequence[Band], value) -> Band:
    for band in bands:
        if band.contains(value):
            return band
    raise InstrumentError(f"No band covers the score {value}.")  # pragma: no cover


@dataclass(frozen=True)
class SubScore:
    """One separately reported answer (ONS4): the answer and its band."""

    code: str
    value: int
    band: str
    band_label: Any


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed instrument.

    ``total`` is what is reported: the metric score (a Decimal) for SWEMWBS, the summed total
    for the other summed scales, the answer itself for the ONS loneliness question, and None
    for ONS4 (which has no total: see ``subscores``). ``raw`` is the summed raw total.
    """

    instrument: str
    total: int | Decimal | None
    raw: int | None
    band: str | None = None
    band_label: Any = None
    subscores: Mapping[str, SubScore] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)
    answers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Change:
    """Jacobson-Truax reliable change between two scores of the same instrument."""

    instrument: str
    baseline: int | Decimal
    follow_up: int | Decimal
    difference: int | Decimal
    rci: float
    reliable: bool
    direction: str
    direction_label: Any
    reliability: float
    sd: float
    se_diff: float
    meaningful: bool | None = None
    meaningful_threshold: int | Decimal | None = None


@dataclass(frozen=True)
class Instrument:
    """A validated instrument, as data.

    ``items`` are the published English item texts. They are deliberately plain strings, not
    translatable: a validated instrument must only be used in an official translation, and we
    hold none in Welsh (``welsh_available`` is False for every instrument here).
    """

    code: str
    name: str
    items: tuple[str, ...]
    min_value: int
    max_value: int
    response_options: tuple[str, ...]
    scorer: Callable[..., Score] = field(repr=False, compare=False)
    higher_is_better: bool = True
    bands: tuple[Band, ...] = ()
    welsh_available: bool = False
    requires_registration: bool = False
    licence_note: str = ""
    source: str = ""
    #: Internal consistency (Cronbach's alpha) and standard deviation used for reliable change;
    #: None where no value applies (single-item questions).
    reliability: float | None = None
    sd: float | None = None
    reliability_source: str = ""
    #: SWEMWBS only: the change, in metric points, that counts as meaningful for an individual.
    meaningful_change: Decimal | None = None
    #: Prorating (scoring from partial answers) is allowed by none of the instruments here.
    allows_prorating: bool = False
    #: The published instruction shown above the items (English, like the items).
    instructions: str = ""
    #: The abbreviation staff know it by, for lists ("SWEMWBS", "PHQ-9").
    short_name: str = ""

    @property
    def choices(self) -> list[tuple[int, str]]:
        """Each possible answer and its label: the published wording where every answer has
        one, otherwise the number (ONS4's 0-10 scales label only their two ends)."""
        values = range(self.min_value, self.max_value + 1)
        if len(self.response_options) == len(values):
            return list(zip(values, self.response_options, strict=True))
        return [(value, str(value)) for value in values]

    @property
    def licensed(self) -> bool:
        return self.requires_registration

    @property
    def item_count(self) -> int:
        return len(self.items)

    def validate(self, answers) -> tuple[int, ...]:
        """Return the answers as a tuple of ints, or raise InstrumentError naming the problem."""
        if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
            raise InstrumentError(
                f"{self.name}: answers must be a list of {self.item_count} whole numbers, "
                f"not {type(answers).__name__}."
            )
        if len(answers) != self.item_count:
            raise InstrumentError(
                f"{self.name}: expected {self.item_count} answers, got {len(answers)}. "
                "Partial answers are not scored."
            )
        for number, answer in enumerate(answers, start=1):
            where = f"{self.name} item {number}"
            if answer is None:
                raise InstrumentError(f"{where} is unanswered; partial answers are not scored.")
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise InstrumentError(
                    f"{where}: {answer!r} is not a whole number "
                    f"({self.min_value} to {self.max_value})."
                )
            if not self.min_value <= answer <= self.max_value:
                raise InstrumentError(
                    f"{where}: {answer} is out of range ({self.min_value} to {self.max_value})."
                )
        return tuple(answers)

    def score(self, answers, **options) -> Score:
        """Score a complete set of answers (in item order). Raises InstrumentError if invalid."""
        return self.scorer(self, self.validate(answers), **options)
