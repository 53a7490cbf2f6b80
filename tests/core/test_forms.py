"""GOV.UK form rendering and the GOV.UK date field."""

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from linkwork.core.forms import GovUKDateField, GovUKDateInput, GovUKFormRenderer


class Elements(HTMLParser):
    """Every start tag in a fragment of HTML, with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> dict[str, str]:
        matches = self.find(tag, **attrs)
        assert len(matches) == 1, f"expected one <{tag} {attrs}>, found {len(matches)}"
        return matches[0]


def classes(element: dict[str, str]) -> set[str]:
    return set(element.get("class", "").split())


class DateForm(forms.Form):
    use_required_attribute = False

    date_of_birth = GovUKDateField(label="Date of birth", help_text="For example, 27 3 1980")


class OptionalDateForm(forms.Form):
    use_required_attribute = False

    closes_on = GovUKDateField(label="Closes on (optional)", required=False)


def date_data(day: str, month: str, year: str, name: str = "date_of_birth") -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def date_inputs(form: forms.Form, name: str = "date_of_birth") -> dict[str, dict[str, str]]:
    html = Elements(str(form[name].as_field_group()))
    return {part: html.one("input", name=f"{name}_{part}") for part in ("day", "month", "year")}


# The date field


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("1", "2", "2000", datetime.date(2000, 2, 1)),
        ("01", "02", "2000", datetime.date(2000, 2, 1)),
        (" 29 ", " 2 ", " 2024 ", datetime.date(2024, 2, 29)),
        ("31", "12", "1999", datetime.date(1999, 12, 31)),
    ],
)
def test_date_field_cleans_a_real_date(day, month, year, expected):
    form = DateForm(date_data(day, month, year))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == expected


def test_31_february_is_not_a_real_date_and_is_shown_again():
    form = DateForm(date_data("31", "02", "2000"))

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Date of birth must be a real date"]
    inputs = date_inputs(form)
    assert [inputs[part].get("value") for part in ("day", "month", "year")] == ["31", "02", "2000"]
    assert all("govuk-input--error" in classes(element) for element in inputs.values())


def test_month_13_is_not_a_real_date_and_is_shown_again():
    form = DateForm(date_data("12", "13", "1980"))

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Date of birth must be a real date"]
    assert date_inputs(form)["month"]["value"] == "13"


def test_a_missing_year_is_named_and_only_the_year_is_highlighted():
    form = DateForm(date_data("12", "3", ""))

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Date of birth must include a year"]
    inputs = date_inputs(form)
    assert "govuk-input--error" in classes(inputs["year"])
    assert "govuk-input--error" not in classes(inputs["day"])
    assert inputs["day"]["value"] == "12"
    assert inputs["month"]["value"] == "3"


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "3", "1980", "Date of birth must include a day"),
        ("12", "", "1980", "Date of birth must include a month"),
        ("", "", "1980", "Date of birth must include a day and month"),
        ("", "3", "", "Date of birth must include a day and year"),
        ("12", "", "", "Date of birth must include a month and year"),
        ("12", "3", "80", "Date of birth must have a year with 4 numbers"),
        ("twelve", "3", "1980", "Date of birth must be a real date"),
        ("12", "3", "-1980", "Date of birth must be a real date"),
        ("0", "3", "1980", "Date of birth must be a real date"),
        ("", "", "", "Enter date of birth"),
    ],
)
def test_date_field_says_what_is_wrong(day, month, year, message):
    form = DateForm(date_data(day, month, year))

    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_messages_leave_out_an_optional_suffix_and_custom_messages_win():
    optional = OptionalDateForm(date_data("30", "2", "2026", name="closes_on"))
    assert not optional.is_valid()
    assert optional.errors["closes_on"] == ["Closes on must be a real date"]

    class CustomForm(forms.Form):
        when = GovUKDateField(error_messages={"required": "Enter the date the referral arrived"})

    custom = CustomForm(date_data("", "", "", name="when"))
    assert not custom.is_valid()
    assert custom.errors["when"] == ["Enter the date the referral arrived"]


def test_an_optional_date_left_empty_is_none():
    form = OptionalDateForm(date_data("", "", "", name="closes_on"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["closes_on"] is None


def test_an_initial_date_is_shown_in_its_parts_and_unchanged_when_resubmitted():
    initial = {"date_of_birth": datetime.date(1980, 3, 7)}
    unbound = DateForm(initial=initial)
    inputs = date_inputs(unbound)
    assert [inputs[part]["value"] for part in ("day", "month", "year")] == ["7", "3", "1980"]

    assert not DateForm(date_data("07", "03", "1980"), initial=initial).has_changed()
    assert DateForm(date_data("8", "3", "1980"), initial=initial).has_changed()


def test_date_input_is_a_fieldset_with_labelled_parts():
    html = Elements(str(DateForm()["date_of_birth"].as_field_group()))

    fieldset = html.one("fieldset")
    assert fieldset["role"] == "group"
    assert fieldset["aria-describedby"] == "id_date_of_birth_helptext"
    assert html.one("div", id="id_date_of_birth_helptext")["class"] == "govuk-hint"
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        element = html.one("input", id=f"id_date_of_birth_{part}")
        assert {"govuk-input", "govuk-date-input__input", f"govuk-input--width-{width}"} <= (
            classes(element)
        )
        assert element["inputmode"] == "numeric"
        assert html.one("label", **{"for": f"id_date_of_birth_{part}"})


def test_date_input_can_ask_for_birthday_autocomplete():
    class BirthdayForm(forms.Form):
        date_of_birth = GovUKDateField(widget=GovUKDateInput(autocomplete="bday"))

    html = Elements(str(BirthdayForm()["date_of_birth"]))

    assert html.one("input", id="id_date_of_birth_month")["autocomplete"] == "bday-month"


@given(
    value=st.dates(min_value=datetime.date(1000, 1, 1)),
    zero_pad=st.booleans(),
)
def test_any_real_date_round_trips(value, zero_pad):
    width = 2 if zero_pad else 1
    typed = date_data(f"{value.day:0{width}d}", f"{value.month:0{width}d}", str(value.year))
    form = DateForm(typed)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == value
    # The form shows what was typed, and a date given as initial data comes back unchanged.
    assert {element["name"]: element["value"] for element in date_inputs(form).values()} == typed
    shown = DateForm(initial={"date_of_birth": value})
    resubmitted = {element["name"]: element["value"] for element in date_inputs(shown).values()}
    again = DateForm(resubmitted, initial={"date_of_birth": value})
    assert again.is_valid(), again.errors
    assert again.cleaned_data["date_of_birth"] == value
    assert not again.has_changed()


# Rendering a whole form


class SampleForm(forms.Form):
    use_required_attribute = False

    name = forms.CharField(
        label="Full name",
        help_text="As it appears on their GP record",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    date_of_birth = GovUKDateField(label="Date of birth")
    contact = forms.ChoiceField(
        label="How should we contact them?",
        choices=[("phone", "Phone"), ("email", "Email")],
        widget=forms.RadioSelect,
    )
    needs = forms.MultipleChoiceField(
        label="Needs",
        choices=[("housing", "Housing"), ("money", "Money")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    site = forms.ChoiceField(label="Site", choices=[("", "Choose a site"), ("a", "Site A")])
    minutes = forms.IntegerField(label="Minutes", min_value=1, required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    consent = forms.BooleanField(label="They agree to be contacted")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact") == "email":
            raise forms.ValidationError("We cannot email people yet")
        return cleaned


INVALID = {
    "name": "",
    **date_data("31", "13", "2000"),
    "contact": "email",
    "site": "",
    "minutes": "lots",
    "notes": "Typed notes are kept",
}


def test_the_form_renderer_is_the_govuk_one():
    assert isinstance(SampleForm().renderer, GovUKFormRenderer)


def test_an_unbound_form_renders_govuk_form_groups():
    html = Elements(SampleForm().render())

    assert len(html.find("div", **{"class": "govuk-form-group"})) >= 8
    assert html.one("label", **{"for": "id_name"})["class"] == "govuk-label"
    assert classes(html.one("input", id="id_name")) == {"govuk-input", "govuk-input--width-20"}
    assert html.one("input", id="id_name")["aria-describedby"] == "id_name_helptext"
    assert "required" not in html.one("input", id="id_name")
    assert html.one("div", id="id_name_helptext")["class"] == "govuk-hint"
    assert html.one("select", id="id_site")["class"] == "govuk-select"
    assert html.one("textarea", id="id_notes")["class"] == "govuk-textarea"
    minutes = html.one("input", id="id_minutes")
    assert (minutes["type"], minutes["inputmode"], minutes["class"]) == (
        "text",
        "numeric",
        "govuk-input",
    )
    assert html.find("div", **{"class": "govuk-radios", "data-module": "govuk-radios"})
    assert html.one("input", id="id_contact_0")["class"] == "govuk-radios__input"
    assert html.find("div", **{"class": "govuk-checkboxes", "data-module": "govuk-checkboxes"})
    assert html.one("input", id="id_needs_1")["class"] == "govuk-checkboxes__input"
    assert html.one("input", id="id_consent")["class"] == "govuk-checkboxes__input"
    assert html.one("label", **{"for": "id_consent"})["class"] == (
        "govuk-label govuk-checkboxes__label"
    )
    # Radios, checkbox groups and the date are fieldsets with legends.
    assert len(html.find("fieldset", **{"class": "govuk-fieldset"})) == 3
    assert len(html.find("legend", **{"class": "govuk-fieldset__legend"})) == 3
    assert html.one("input", type="hidden", name="token")


def test_an_invalid_form_shows_errors_and_keeps_what_was_typed():
    form = SampleForm(INVALID)
    assert not form.is_valid()
    rendered = form.render()
    html = Elements(rendered)

    assert len(html.find("div", **{"class": "govuk-form-group govuk-form-group--error"})) >= 5
    assert classes(html.one("input", id="id_name")) == {
        "govuk-input",
        "govuk-input--error",
        "govuk-input--width-20",
    }
    assert html.one("input", id="id_name")["aria-describedby"] == "id_name_helptext id_name_error"
    assert html.one("p", id="id_name_error")["class"] == "govuk-error-message"
    assert '<span class="govuk-visually-hidden">Error:</span> This field is required.' in rendered
    assert html.one("select", id="id_site")["class"] == "govuk-select govuk-select--error"
    assert html.one("input", id="id_minutes")["value"] == "lots"
    assert "Typed notes are kept" in rendered
    assert html.one("input", id="id_contact_1").get("checked") == ""
    assert html.one("input", id="id_date_of_birth_month")["value"] == "13"
    # The date's fieldset describes itself by its error message.
    assert html.find("fieldset", role="group", **{"aria-describedby": "id_date_of_birth_error"})
    assert "We cannot email people yet" in rendered


def test_the_error_summary_links_to_each_field():
    form = SampleForm(INVALID)
    assert not form.is_valid()

    rendered = render_to_string("forms/error_summary.html", {"form": form})
    html = Elements(rendered)

    assert html.one("div", **{"class": "govuk-error-summary"})["data-module"] == (
        "govuk-error-summary"
    )
    assert html.one("div", role="alert")
    assert "There is a problem" in rendered
    links = [attrs["href"] for tag, attrs in html.tags if tag == "a"]
    assert links == [
        "#id_name",
        "#id_date_of_birth_day",
        "#id_site",
        "#id_minutes",
        "#id_consent",
    ]
    assert "<li>We cannot email people yet</li>" in rendered
    assert '<a href="#id_date_of_birth_day">Date of birth must be a real date</a>' in rendered


def test_the_error_summary_links_a_date_to_its_first_part_in_error():
    form = SampleForm({**INVALID, **date_data("12", "3", "")})
    assert not form.is_valid()

    html = Elements(render_to_string("forms/error_summary.html", {"form": form}))

    assert html.one("a", href="#id_date_of_birth_year")


def test_the_error_summary_links_a_radio_group_to_its_first_radio():
    form = SampleForm({**INVALID, "contact": ""})
    assert not form.is_valid()

    html = Elements(render_to_string("forms/error_summary.html", {"form": form}))

    assert html.one("a", href="#id_contact_0")


def test_no_error_summary_without_errors():
    assert render_to_string("forms/error_summary.html", {"form": SampleForm()}).strip() == ""


def test_every_form_in_linkwork_is_a_govuk_form():
    """One base form: each form leaves validation to the server, so the GOV.UK error summary and
    translated messages show instead of the browser's pop-ups."""
    import importlib
    import inspect
    import pkgutil

    from django import forms as django_forms

    import linkwork
    from linkwork.core.forms import GovUKForm, GovUKModelForm

    found = []
    for module_info in pkgutil.walk_packages(linkwork.__path__, "linkwork."):
        name = module_info.name
        if not (name.endswith(".forms") or ".forms." in name):
            continue
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, django_forms.BaseForm):
                found.append(cls)
                assert issubclass(cls, GovUKForm | GovUKModelForm), cls
                assert cls.use_required_attribute is False
    assert len(found) > 20


def test_posted_binds_on_post_only_and_passes_files_only_when_sent(rf):
    from django import forms as django_forms
    from django.core.files.uploadedfile import SimpleUploadedFile

    from linkwork.core.form_pages import posted
    from linkwork.core.forms import GovUKForm

    class Keyworded(GovUKForm):
        # A form whose own arguments are keyword-only after `data` takes no positional files.
        name = django_forms.CharField()

        def __init__(self, data=None, *, site, **kwargs):
            self.site = site
            super().__init__(data, **kwargs)

    class Upload(GovUKForm):
        feed = django_forms.FileField()

    assert not posted(rf.get("/"), Keyworded, site="a").is_bound
    form = posted(rf.post("/", {"name": "Ann"}), Keyworded, site="a")
    assert form.is_bound and form.is_valid() and form.site == "a"
    upload = rf.post("/", {"feed": SimpleUploadedFile("feed.json", b"{}")})
    assert posted(upload, Upload).is_valid()
