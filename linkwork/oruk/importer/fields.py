"""How each model field is read from the feed (`F`, and the specs of each kind of record and
detail) and cleaned (`clean_fields`): a record cannot stand without a required field, and a bad
optional value is dropped with a warning.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from .report import (
    ERROR,
    M_BAD_AGE,
    M_BAD_AMOUNT,
    M_BAD_CHOICE,
    M_BAD_CODE,
    M_BAD_COORDINATE,
    M_BAD_DATE,
    M_BAD_EMAIL,
    M_BAD_NUMBER,
    M_BAD_PHONE,
    M_BAD_TIME,
    M_BAD_URL,
    M_BAD_UUID_FIELD,
    M_DROPPED,
    M_MISSING,
    M_NOT_TEXT,
    M_TOO_LONG,
    M_WANTED,
    WARNING,
    message,
    show_value,
)

TEXT_TYPES = ("text", "long", "url", "email", "phone", "choice", "code")


@dataclass(frozen=True)
class F:
    """How one model field is read from the feed."""

    name: str
    type: str = "text"
    limit: int | None = None
    keys: tuple[str, ...] = ()
    required: bool = False  # the record cannot stand without it
    wanted: bool = False  # the standard requires it, Linkwork does not: a warning
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 0
    default: Any = None  # what an empty or dropped value becomes

    @property
    def feed_keys(self) -> tuple[str, ...]:
        return self.keys or (self.name,)

    @property
    def empty(self) -> Any:
        if self.default is not None:
            return self.default
        return "" if self.type in TEXT_TYPES else None


LOCATION_TYPES = ("physical", "postal", "virtual")

ORGANIZATION_FIELDS = (
    F("name", limit=200, required=True),
    F("alternate_name", limit=200),
    F("description", "long", wanted=True),
    F("email", "email", 254),
    F("website", "url", 500),
    F("logo", "url", 500),
    F("uri", "url", 500),
    F("legal_status", limit=200),
    F("parent_uuid", "uuid", keys=("parent_organization_id",)),
)
SERVICE_FIELDS = (
    F("name", limit=200, required=True),
    F("alternate_name", limit=200),
    F("description", "long"),
    F("url", "url", 500, wanted=True),
    F("email", "email", 254),
    F("interpretation_services", "long"),
    F("application_process", "long"),
    F("fees_description", "long", keys=("fees_description", "fees")),
    F("wait_time", limit=200),
    F("accreditations", "long"),
    F("eligibility_description", "long"),
    F("minimum_age", "age"),
    F("maximum_age", "age"),
    F("assured_date", "date"),
    F("assurer_email", "email", 254),
    F("alert", "long"),
)
LOCATION_FIELDS = (
    F("location_type", "choice", choices=LOCATION_TYPES, default="physical"),
    F("url", "url", 500),
    F("name", limit=200),
    F("alternate_name", limit=200),
    F("description", "long"),
    F("transportation", "long"),
    F("latitude", "coordinate", low=-90, high=90),
    F("longitude", "coordinate", low=-180, high=180),
    F("external_identifier", limit=100),
    F("external_identifier_type", limit=50),
)
SERVICE_AT_LOCATION_FIELDS = (F("description", "long"),)
TAXONOMY_FIELDS = (
    F("name", limit=200, required=True),
    F("description", "long", wanted=True),
    F("uri", "url", 500),
    F("version", limit=50),
)
TAXONOMY_TERM_FIELDS = (
    F("code", limit=100),
    F("name", limit=200, keys=("name", "term"), required=True),
    F("description", "long", wanted=True),
    F("taxonomy_name", limit=200, keys=("taxonomy",)),
    F("language", limit=20),
    F("term_uri", "url", 500),
)
ORGANIZATION_IDENTIFIER_FIELDS = (
    F("identifier_scheme", limit=100),
    F("identifier_type", limit=100, required=True),
    F("identifier", limit=200, required=True),
)
PHONE_FIELDS = (
    F("number", "phone", 40, required=True),
    F("extension", limit=20),
    F("type", limit=20),
    F("description", limit=300),
)
CONTACT_FIELDS = (
    F("name", limit=200),
    F("title", limit=200),
    F("department", limit=200),
    F("email", "email", 254),
)
SCHEDULE_FIELDS = (
    F("valid_from", "date"),
    F("valid_to", "date"),
    F("dtstart", "date"),
    F("timezone", limit=50),
    F("until", "date"),
    F("count", "count"),
    F("wkst", "choice", choices=("MO", "TU", "WE", "TH", "FR", "SA", "SU")),
    F(
        "freq",
        "choice",
        choices=("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
    ),
    F("interval", "count"),
    F("byday", limit=100),
    F("byweekno", limit=100),
    F("bymonthday", limit=100),
    F("byyearday", limit=100),
    F("description", "long"),
    F("opens_at", "time"),
    F("closes_at", "time"),
    F("schedule_link", "url", 500),
    F("attending_type", limit=300),
    F("notes", "long"),
)
SERVICE_AREA_FIELDS = (
    F("name", limit=300, keys=("name", "service_area")),
    F("description", "long"),
    F("extent", "long"),
    F("extent_type", limit=20),
    F("uri", "url", 500),
)
LANGUAGE_FIELDS = (F("name", limit=100), F("code", limit=10), F("note", limit=300))
COST_OPTION_FIELDS = (
    F("valid_from", "date"),
    F("valid_to", "date"),
    F("option", limit=300),
    F("currency", "code", 3),
    F("amount", "amount"),
    F("amount_description", limit=300),
)
ATTRIBUTE_FIELDS = (F("link_type", limit=100), F("value", limit=200), F("label", limit=200))
ADDRESS_FIELDS = (
    F("attention", limit=200),
    F("address_1", limit=200, required=True),
    F("address_2", limit=200),
    F("city", limit=100, required=True),
    F("region", limit=100),
    F("state_province", limit=100),
    F("postal_code", limit=20, required=True),
    F("country", "code", 2, default="GB"),
    F("address_type", "choice", choices=LOCATION_TYPES, default="physical"),
)
ACCESSIBILITY_FIELDS = (F("description", "long"), F("details", "long"), F("url", "url", 500))

_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()
_PHONE = re.compile(r"^\+?[0-9 ()\-./]+$")
_SIX_PLACES = decimal.Decimal("0.000001")
_TWO_PLACES = decimal.Decimal("0.01")


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _as_number(value: Any) -> decimal.Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _whole(number: decimal.Decimal | None, high: int) -> int | None:
    if number is None or number != number.to_integral_value() or not 0 <= number <= high:
        return None
    return int(number)


def clean_value(spec: F, key: str, value: Any, warn: Callable[..., None]) -> Any:
    """The value for the model, or the field's empty value (with a warning) if it is bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return spec.empty
    kind = spec.type

    if kind in TEXT_TYPES:
        text = _as_text(value)
        if text is None:
            warn(M_NOT_TEXT, field=key)
            return spec.empty
        if kind == "url":
            try:
                if len(text) > (spec.limit or 500):
                    raise ValidationError("too long")
                _url_validator(text)
            except ValidationError:
                warn(M_BAD_URL, field=key, value=show_value(value))
                return spec.empty
            return text
        if kind == "email":
            try:
                if len(text) > (spec.limit or 254):
                    raise ValidationError("too long")
                _email_validator(text)
            except ValidationError:
                warn(M_BAD_EMAIL, field=key, value=show_value(value))
                return spec.empty
            return text
        if kind == "phone":
            digits = sum(c.isdigit() for c in text)
            if not _PHONE.match(text) or not 3 <= digits <= 15 or len(text) > (spec.limit or 40):
                warn(M_BAD_PHONE, field=key, value=show_value(value))
                return spec.empty
            return text
        if kind == "choice":
            by_lower = {choice.lower(): choice for choice in spec.choices}
            chosen = by_lower.get(text.lower())
            if chosen is None:
                choices = ", ".join(spec.choices)
                warn(M_BAD_CHOICE, field=key, value=show_value(value), choices=choices)
                return spec.empty
            return chosen
        if kind == "code":
            code = text.upper()
            if not re.fullmatch(rf"[A-Z]{{{spec.limit}}}", code):
                warn(M_BAD_CODE, field=key, value=show_value(value), length=spec.limit)
                return spec.empty
            return code
        if spec.limit and len(text) > spec.limit:
            warn(M_TOO_LONG, field=key, limit=spec.limit)
            return text[: spec.limit]
        return text

    if kind == "age":
        age = _whole(_as_number(value), 150)
        if age is None:
            warn(M_BAD_AGE, field=key, value=show_value(value))
        return age
    if kind == "count":
        count = _whole(_as_number(value), 2**31 - 1)
        if count is None:
            warn(M_BAD_NUMBER, field=key, value=show_value(value))
        return count
    if kind == "coordinate":
        number = _as_number(value)
        if number is None or not spec.low <= number <= spec.high:
            warn(M_BAD_COORDINATE, field=key, value=show_value(value), low=spec.low, high=spec.high)
            return None
        return number.quantize(_SIX_PLACES)
    if kind == "amount":
        number = _as_number(value)
        if number is None or not 0 <= number < 10**8:
            warn(M_BAD_AMOUNT, field=key, value=show_value(value))
            return None
        return number.quantize(_TWO_PLACES)
    if kind == "date":
        day = _parse_date(value)
        if day is None:
            warn(M_BAD_DATE, field=key, value=show_value(value))
        return day
    if kind == "time":
        moment = _parse_time(value)
        if moment is None:
            warn(M_BAD_TIME, field=key, value=show_value(value))
        return moment
    if kind == "uuid":
        parsed = parse_uuid(value)
        if parsed is None:
            warn(M_BAD_UUID_FIELD, field=key, value=show_value(value))
        return parsed
    raise ValueError(f"unknown field type {kind}")


def _parse_date(value: Any) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _parse_time(value: Any) -> datetime.time | None:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9:.+\-Z ]+", value.strip()):
        return None
    try:
        return datetime.time.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        return None


def parse_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _collector(problems: list[dict]) -> Callable[..., None]:
    def collect(text: str, **params) -> None:
        problems.append(message(WARNING, text, **params))

    return collect


def clean_fields(
    data: dict, specs: Iterable[F], warn: Callable[..., None]
) -> tuple[dict[str, Any], list[dict]]:
    """The model values for the fields the feed gives, and the reasons a required field is
    missing or bad. A bad optional value is dropped with a warning (`warn(text, **params)`)."""
    values: dict[str, Any] = {}
    missing: list[dict] = []
    for spec in specs:
        key = next((k for k in spec.feed_keys if k in data and data[k] is not None), None)
        if key is None:
            key = next((k for k in spec.feed_keys if k in data), None)
        if key is None:
            if spec.required:
                missing.append(message(ERROR, M_MISSING, field=spec.feed_keys[0]))
            elif spec.wanted:
                warn(M_WANTED, field=spec.feed_keys[0])
            continue
        problems: list[dict] = []
        value = clean_value(spec, key, data[key], _collector(problems))
        if spec.required and value in ("", None):
            missing.append(
                {**problems[0], "level": ERROR}
                if problems
                else message(ERROR, M_MISSING, field=key)
            )
            continue
        for problem in problems:
            if problem["text"] == M_TOO_LONG:
                warn(problem["text"], **problem["params"])
            else:
                warn(M_DROPPED, reason=problem)
        if spec.wanted and value in ("", None) and not problems:
            warn(M_WANTED, field=key)
        values[spec.name] = value
    return values, missing
