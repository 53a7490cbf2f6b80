"""GOV.UK Design System rendering for Django forms, and a GOV.UK date input field.

Set ``FORM_RENDERER = "linkwork.core.forms.GovUKFormRenderer"``. Then ``{{ form }}`` and
``{{ form.field.as_field_group }}`` render GOV.UK form groups: a label (or a fieldset and legend
for radios, checkbox groups and date inputs), the hint (``help_text``), the error message with a
visually hidden "Error:" prefix, ``govuk-form-group--error``, and the GOV.UK class on each
input. Put the error summary at the top of the page's main column, above the ``<h1>``::

    {% include "forms/error_summary.html" with form=form %}

How it fits together:

- ``GovUKFormRenderer`` is a ``TemplatesSetting`` renderer, so form templates are found through
  ``settings.TEMPLATES``: ``linkwork/templates`` (in ``DIRS``) overrides Django's own widget
  templates, and ``"django.forms"`` must be in ``INSTALLED_APPS`` (with ``APP_DIRS``) for the
  widget templates we don't override.
- ``GovUKBoundField`` (the renderer's ``bound_field_class``) adds the GOV.UK class for each
  widget, and the ``--error`` modifier when the field has errors, in Python, because a widget
  template cannot see the field's errors. Classes given on the widget, such as
  ``govuk-input--width-10``, are kept. Number inputs render as ``type="text"`` with an
  ``inputmode``, as the Design System recommends.
- Radios and checkbox groups take a modifier class on the widget, for example
  ``forms.RadioSelect(attrs={"class": "govuk-radios--inline"})``; it goes on the group only.

Every form is a ``GovUKForm`` (or ``GovUKModelForm``), which sets ``use_required_attribute =
False``: otherwise the browser's own "Please fill in this field" pop-ups stop the form being
submitted, and the user never sees the GOV.UK error summary and messages, which are worded for
the service and translated.
"""

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .params import parse_id
from .text import lines, one_line

DATE_PARTS = ("day", "month", "year")

#: The choices of a yes-or-no question answered with radios.
YES_NO = [("yes", _("Yes")), ("no", _("No"))]

_PART_LABELS = {
    "day": pgettext_lazy("date input", "Day"),
    "month": pgettext_lazy("date input", "Month"),
    "year": pgettext_lazy("date input", "Year"),
}


def _join_classes(*class_lists: str | None) -> str:
    """Join space-separated class lists, dropping blanks and repeats but keeping order."""
    seen: dict[str, None] = {}
    for classes in class_lists:
        for name in (classes or "").split():
            seen.setdefault(name, None)
    return " ".join(seen)


def govuk_widget_classes(widget: forms.Widget, *, has_errors: bool) -> str:
    """The GOV.UK classes for a widget's input element ("" where templates do the work)."""
    # Radios, checkbox groups and date inputs carry their classes in their templates: the
    # class attribute of a choice widget would otherwise be copied onto every option.
    if isinstance(widget, forms.RadioSelect | forms.MultiWidget | forms.SelectDateWidget):
        return ""
    if widget.is_hidden:
        return ""
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    if isinstance(widget, forms.FileInput):
        block = "govuk-file-upload"
    elif isinstance(widget, forms.Textarea):
        block = "govuk-textarea"
    elif isinstance(widget, forms.Select):
        block = "govuk-select"
    elif isinstance(widget, Input):
        block = "govuk-input"
    else:
        return ""
    return f"{block} {block}--error" if has_errors else block


class GovUKBoundField(BoundField):
    """A bound field that gives its widget GOV.UK classes and knows its error link target."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        govuk_classes = govuk_widget_classes(widget, has_errors=bool(self.errors))
        if govuk_classes:
            # Extra attrs replace the widget's own, so merge the widget's classes back in.
            attrs["class"] = _join_classes(
                govuk_classes, widget.attrs.get("class"), attrs.get("class")
            )
        if isinstance(widget, forms.NumberInput):
            # Rendered as type="text" (see django/forms/widgets/number.html): number inputs
            # change value on scroll and reject some valid input before the server sees it.
            step = str(widget.attrs.get("step", "1"))
            attrs.setdefault("inputmode", "numeric" if step.isdigit() else "decimal")
            attrs.update({"min": False, "max": False, "step": False})
        if isinstance(widget, forms.EmailInput):
            attrs.setdefault("spellcheck", "false")
        return attrs

    @property
    def govuk_kind(self) -> str:
        """Which GOV.UK form group layout the field template uses."""
        widget = self.field.widget
        if isinstance(widget, GovUKDateInput):
            return "date"
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        return "input"

    @property
    def govuk_error_target(self) -> str:
        """The id an error summary link points at: the first input of a group."""
        if not self.auto_id:
            return ""
        widget = self.field.widget
        if isinstance(widget, forms.RadioSelect):
            return widget.id_for_label(self.auto_id, "0")
        if isinstance(widget, GovUKDateInput):
            # The first part marked as wrong: the year if only the year is missing.
            value = self.value()
            typed = value if isinstance(value, list) else widget.decompress(value)
            marked = date_parts_in_error([_as_text(part) for part in typed])
            return f"{self.auto_id}_{DATE_PARTS[marked.index(True)]}"
        return self.id_for_label or self.auto_id


class GovUKFormRenderer(TemplatesSetting):
    """Render forms and fields as GOV.UK Design System form groups."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = GovUKBoundField


class GovUKDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year text boxes in a fieldset.

    Sub-inputs are named ``<name>_day``, ``<name>_month`` and ``<name>_year`` with ids
    ``id_<name>_day`` and so on. ``autocomplete="bday"`` sets ``bday-day``, ``bday-month`` and
    ``bday-year`` for a date of birth.
    """

    template_name = "forms/widgets/date_input.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None, autocomplete: str | None = None):
        widgets = {}
        for part in DATE_PARTS:
            part_attrs = {"inputmode": "numeric", "spellcheck": "false"}
            if autocomplete:
                part_attrs["autocomplete"] = f"{autocomplete}-{part}"
            widgets[part] = forms.TextInput(attrs=part_attrs)
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_{DATE_PARTS[0]}" if id_ else ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        id_ = widget["attrs"].get("id")
        has_errors = widget["attrs"].get("aria-invalid") == "true"
        highlight = date_parts_in_error([_as_text(sub["value"]) for sub in widget["subwidgets"]])
        for part, subwidget, marked in zip(
            DATE_PARTS, widget["subwidgets"], highlight, strict=True
        ):
            sub_attrs = subwidget["attrs"]
            if id_:
                sub_attrs["id"] = f"{id_}_{part}"
            width = "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
            sub_attrs["class"] = _join_classes(
                "govuk-input govuk-date-input__input",
                "govuk-input--error" if has_errors and marked else "",
                width,
                sub_attrs.get("class"),
            )
            # aria-invalid belongs on the inputs that are wrong, not all three.
            if has_errors and not marked:
                sub_attrs.pop("aria-invalid", None)
            subwidget["label"] = _PART_LABELS[part]
        return context


def _as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def date_parts_in_error(typed: Sequence[str]) -> list[bool]:
    """Which of day, month and year to mark when a date has an error.

    Only the missing parts when some were given (the message names them); otherwise the
    whole date.
    """
    blank = [not part for part in (list(typed) + ["", "", ""])[:3]]
    return blank if any(blank) and not all(blank) else [True, True, True]


_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]+")


class GovUKDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK date input error messages.

    Cleans to a ``datetime.date``. What was typed, even a month of 13, is shown again when the
    form has errors. Messages name the field by its label, without any "(optional)" suffix;
    override any of them through ``error_messages`` (keys: ``required``, ``invalid``,
    ``year_digits`` and ``incomplete_<parts>``, for example ``incomplete_day_month``).
    """

    widget = GovUKDateInput
    default_error_messages = {
        "required": _("Enter %(label_lower)s"),
        "invalid": _("%(label)s must be a real date"),
        "year_digits": _("%(label)s must have a year with 4 numbers"),
        "incomplete_day": _("%(label)s must include a day"),
        "incomplete_month": _("%(label)s must include a month"),
        "incomplete_year": _("%(label)s must include a year"),
        "incomplete_day_month": _("%(label)s must include a day and month"),
        "incomplete_day_year": _("%(label)s must include a day and year"),
        "incomplete_month_year": _("%(label)s must include a month and year"),
    }

    def __init__(self, **kwargs: Any):
        fields = tuple(forms.CharField(required=False) for _part in DATE_PARTS)
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def _message_params(self) -> dict[str, str]:
        label = re.sub(r"\s*\([^)]*\)\s*$", "", str(self.label or gettext("Date"))).strip()
        first_word = label.split(" ", 1)[0]
        if first_word.isupper() and len(first_word) > 1:
            label_lower = label  # An abbreviation such as "GP" keeps its capitals.
        else:
            label_lower = label[:1].lower() + label[1:]
        return {"label": label, "label_lower": label_lower}

    def _error(self, code: str) -> ValidationError:
        return ValidationError(self.error_messages[code], code=code, params=self._message_params())

    def clean(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            value = self.widget.decompress(value)
        if not isinstance(value, Sequence) or isinstance(value, str):
            value = [None, None, None]
        day, month, year = (_as_text(part) for part in (list(value) + [None, None, None])[:3])
        if not (day or month or year):
            if self.required:
                raise self._error("required")
            return None
        missing = [
            part for part, text in zip(DATE_PARTS, (day, month, year), strict=True) if not text
        ]
        if missing:
            raise self._error("incomplete_" + "_".join(missing))
        if not (_DAY_OR_MONTH.fullmatch(day) and _DAY_OR_MONTH.fullmatch(month)):
            raise self._error("invalid")
        if not _YEAR.fullmatch(year):
            raise self._error("invalid")
        if len(year) != 4:
            raise self._error("year_digits")
        result = self.compress([day, month, year])
        self.run_validators(result)
        return result

    def compress(self, data_list: Sequence[Any]) -> datetime.date | None:
        if not data_list or not any(data_list):
            return None
        try:
            day, month, year = (int(part) for part in data_list)
            return datetime.date(year, month, day)
        except (TypeError, ValueError):
            raise self._error("invalid") from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        before = self.widget.decompress(initial) if not isinstance(initial, list) else initial
        after = data if isinstance(data, list) else self.widget.decompress(data)

        def normalise(parts: Sequence[Any]) -> tuple[str, ...]:
            texts = [_as_text(part) for part in parts]
            return tuple(text.lstrip("0") or text for text in texts)

        return normalise(before or []) != normalise(after or [])


class RevealingRadioSelect(forms.RadioSelect):
    """GOV.UK radios whose options each reveal a part of the page when chosen (the conditional
    reveal pattern): `reveals={value: element id}`. The element must carry the classes
    `govuk-radios__conditional govuk-radios__conditional--hidden`; GOV.UK Frontend's script
    shows it while its option is chosen. Without the script, everything shows."""

    def __init__(self, *args, reveals: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reveals = reveals or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.reveals:
            option["attrs"] = {**option["attrs"], "data-aria-controls": self.reveals[str(value)]}
        return option


TOO_LONG = _("Enter %(limit_value)d characters or fewer. You entered %(show_value)d.")


class LineField(forms.CharField):
    """One line of text (a name, a phone number, a postcode), cleaned of characters that cannot
    be seen (`core.text.one_line`) before `required` and `max_length` are checked."""

    default_error_messages = {"max_length": TOO_LONG}

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return one_line(value) if value else value


class TextAreaField(forms.CharField):
    """Several lines of text, cleaned of characters that cannot be seen (`core.text.lines`)
    before `required` and `max_length` are checked. Too long is an error on the page, never cut
    short by the browser: no `maxlength` attribute."""

    widget = forms.Textarea
    default_error_messages = {"max_length": TOO_LONG}

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return lines(value) if value else value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """`ModelMultipleChoiceField` that refuses a value that is not an id (`core.params`)
    before asking the database. Django's own sends `pk__in=[99999999999999999999]` to the
    database, where SQLite fails with an `OverflowError` (a 500)."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value if isinstance(value, list | tuple) else ():
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


def _check_ids_first(form: forms.BaseForm) -> None:
    """Every plain `ModelMultipleChoiceField` of the form (declared, or made by a model form for
    a many-to-many field) checks its ids as `IdsChoiceField` does: it adds only that check."""
    for field in form.fields.values():
        if type(field) is forms.ModelMultipleChoiceField:
            field.__class__ = IdsChoiceField


class GovUKForm(forms.Form):
    """The base of every form in Linkwork: rendered in GOV.UK markup (`GovUKFormRenderer`) and
    validated on the server with GOV.UK error messages, not the browser's pop-ups."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _check_ids_first(self)


def text_area(label, *, required=False, rows=3, hint=None, required_message=None, **kwargs):
    """A free-text answer: a textarea of `rows` lines, with GOV.UK's wording when it is missing."""
    return TextAreaField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message} if required_message else {},
        **kwargs,
    )


class GovUKModelForm(forms.ModelForm):
    """`GovUKForm` for a form that edits a model's fields (configuration such as pathways)."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _check_ids_first(self)
