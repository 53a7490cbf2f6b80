"""The GOV.UK components in `core/templatetags/components.py`.

Each component is rendered and compared, as HTML rather than as text, with the markup GOV.UK
Frontend's own macro writes: written out here, and from the examples GOV.UK Frontend ships
(`fixtures.json` beside each component in node_modules, there after `make install`).
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from pytest_django.asserts import assertHTMLEqual, assertInHTML

from linkwork.core.templatetags.components import Action

GOVUK = Path(settings.BASE_DIR) / "node_modules/govuk-frontend/dist/govuk/components"


def render(source: str, **context) -> str:
    return Template("{% load i18n components %}" + source).render(Context(context))


def govuk_fixture(component: str, name: str) -> dict:
    path = GOVUK / component / "fixtures.json"
    if not path.exists():
        pytest.skip("GOV.UK Frontend is not installed (make install)")
    fixtures = json.loads(path.read_text())["fixtures"]
    return next(fixture for fixture in fixtures if fixture["name"] == name)


# Summary list


def test_summary_list_rows_with_a_key_and_a_value():
    html = render(
        "{% summary_list %}"
        '{% summary_row _("Name") %}{{ name }}{% endsummary_row %}'
        '{% summary_row "Address" %}<p class="govuk-body">{{ street }}<br>{{ town }}</p>'
        "{% endsummary_row %}"
        "{% endsummary_list %}",
        name="Megan Lewis",
        street="3 Stryd Fawr",
        town="Llanidloes",
    )
    assertHTMLEqual(
        html,
        """
        <dl class="govuk-summary-list">
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">Name</dt>
            <dd class="govuk-summary-list__value">Megan Lewis</dd>
          </div>
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">Address</dt>
            <dd class="govuk-summary-list__value">
              <p class="govuk-body">3 Stryd Fawr<br>Llanidloes</p>
            </dd>
          </div>
        </dl>
        """,
    )


def test_a_row_with_one_action_and_a_row_without_any():
    html = render(
        "{% summary_list %}"
        '{% summary_row "Phone" action_url=url action_text=_("Change") action_hidden="phone" %}'
        "07700 900456{% endsummary_row %}"
        '{% summary_row "Email" %}megan@example.com{% endsummary_row %}'
        "{% endsummary_list %}",
        url="/people/1/phone?next=/x&y=1",
    )
    assertHTMLEqual(
        html,
        """
        <dl class="govuk-summary-list">
          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">Phone</dt>
            <dd class="govuk-summary-list__value">07700 900456</dd>
            <dd class="govuk-summary-list__actions">
              <a class="govuk-link" href="/people/1/phone?next=/x&amp;y=1">Change<span
                class="govuk-visually-hidden"> phone</span></a>
            </dd>
          </div>
          <div class="govuk-summary-list__row govuk-summary-list__row--no-actions">
            <dt class="govuk-summary-list__key">Email</dt>
            <dd class="govuk-summary-list__value">megan@example.com</dd>
          </div>
        </dl>
        """,
    )


def test_no_row_is_marked_without_actions_when_no_row_has_any():
    html = render(
        '{% summary_list %}{% summary_row "A" %}1{% endsummary_row %}{% endsummary_list %}'
    )
    assert "no-actions" not in html
    assert "govuk-summary-list__actions" not in html


def test_a_row_with_several_actions_lists_them():
    html = render(
        "{% summary_list %}"
        '{% summary_row "Name" actions=actions %}Megan{% endsummary_row %}'
        "{% endsummary_list %}",
        actions=[Action("/edit", "Edit", "name"), Action("/delete", "Delete", "name")],
    )
    assertInHTML(
        """
        <dd class="govuk-summary-list__actions">
          <ul class="govuk-summary-list__actions-list">
            <li class="govuk-summary-list__actions-list-item">
              <a class="govuk-link" href="/edit">Edit<span
                class="govuk-visually-hidden"> name</span></a>
            </li>
            <li class="govuk-summary-list__actions-list-item">
              <a class="govuk-link" href="/delete">Delete<span
                class="govuk-visually-hidden"> name</span></a>
            </li>
          </ul>
        </dd>
        """,
        html,
    )


def test_an_action_without_hidden_text_has_no_hidden_span():
    html = render(
        "{% summary_list %}"
        '{% summary_row "A" action_url="/a" action_text="Change" %}1{% endsummary_row %}'
        "{% endsummary_list %}"
    )
    assert "govuk-visually-hidden" not in html
    assertInHTML('<a class="govuk-link" href="/a">Change</a>', html)


def test_keys_actions_and_values_are_escaped_once():
    html = render(
        "{% summary_list %}"
        "{% summary_row key action_url=url action_text=text action_hidden=hidden %}"
        "{{ value }}{% endsummary_row %}"
        "{% endsummary_list %}",
        key="<script>alert(1)</script>",
        url='/a"onclick="x',
        text="<b>Change</b>",
        hidden="<i>it</i>",
        value="Fish & chips <3",
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</dt>" in html
    assert 'href="/a&quot;onclick=&quot;x"' in html
    assert "&lt;b&gt;Change&lt;/b&gt;" in html
    assert "&lt;i&gt;it&lt;/i&gt;" in html
    # The value is the body as the template rendered it: escaped there, not again.
    assert "Fish &amp; chips &lt;3</dd>" in html


def test_a_translated_key_is_shown_as_translate_would_show_it():
    with translation.override("cy"):
        assert render('{% translate "Name" %}') in render(
            '{% summary_list %}{% summary_row _("Name") %}x{% endsummary_row %}'
            "{% endsummary_list %}"
        )


def test_a_value_is_trimmed_so_that_lw_pre_shows_no_stray_lines():
    html = render(
        "{% summary_list %}"
        '{% summary_row "Note" value_classes="lw-pre" %}\n   {{ note }}\n{% endsummary_row %}'
        "{% endsummary_list %}",
        note="Line one\nLine two",
    )
    assert '<dd class="govuk-summary-list__value lw-pre">Line one\nLine two</dd>' in html


def test_modifiers_and_classes():
    html = render(
        '{% summary_list no_border=True classes="govuk-!-margin-bottom-3" %}'
        '{% summary_row "A" classes="app-row" key_classes="app-key" value_classes="app-value" %}'
        "1{% endsummary_row %}"
        "{% endsummary_list %}"
    )
    assertHTMLEqual(
        html,
        """
        <dl class="govuk-summary-list govuk-summary-list--no-border govuk-!-margin-bottom-3">
          <div class="govuk-summary-list__row app-row">
            <dt class="govuk-summary-list__key app-key">A</dt>
            <dd class="govuk-summary-list__value app-value">1</dd>
          </div>
        </dl>
        """,
    )


def test_rows_can_come_from_loops_conditions_and_includes():
    html = render(
        "{% summary_list %}"
        "{% for name in names %}{% summary_row name %}{{ forloop.counter }}{% endsummary_row %}"
        "{% endfor %}"
        '{% if hidden %}{% summary_row "Hidden" %}x{% endsummary_row %}{% endif %}'
        "{% endsummary_list %}",
        names=["One", "Two"],
        hidden=False,
    )
    assert html.count("govuk-summary-list__row") == 2
    assert "Hidden" not in html


def test_a_summary_list_in_a_value_keeps_its_own_rows():
    html = render(
        "{% summary_list %}"
        '{% summary_row "Outer" action_url="/o" action_text="Change" %}'
        '{% summary_list %}{% summary_row "Inner" %}i{% endsummary_row %}{% endsummary_list %}'
        "{% endsummary_row %}"
        "{% endsummary_list %}"
    )
    assert html.count("<dl") == 2
    assert html.count("govuk-summary-list__row--no-actions") == 0
    assert html.index("Inner") > html.index("Outer")


def test_a_row_outside_a_list_is_an_error():
    with pytest.raises(TemplateSyntaxError, match="inside"):
        render('{% summary_row "A" %}1{% endsummary_row %}')


def test_a_list_holds_only_rows():
    with pytest.raises(TemplateSyntaxError, match="only summary_row"):
        render(
            '{% summary_list %}<p>Stray</p>{% summary_row "A" %}1{% endsummary_row %}'
            "{% endsummary_list %}"
        )


def test_an_action_needs_its_words():
    with pytest.raises(TemplateSyntaxError, match="link text"):
        render(
            '{% summary_list %}{% summary_row "A" action_url="/a" %}1{% endsummary_row %}'
            "{% endsummary_list %}"
        )


def test_parts_cannot_be_passed_in():
    with pytest.raises(TemplateSyntaxError, match="parts"):
        render("{% summary_list parts=x %}{% endsummary_list %}")


# Summary card


def test_a_summary_card_with_a_text_title_and_two_actions():
    html = render(
        '{% summary_card title id="escalation-1" heading_level=3 %}'
        '{% summary_card_action "/chase" _("Record a chase") %}'
        '{% summary_card_action "/respond" "Record their response" %}'
        '<p class="govuk-body">Body</p>'
        "{% endsummary_card %}",
        title="Police <CID>",
    )
    assertHTMLEqual(
        html,
        """
        <div class="govuk-summary-card" id="escalation-1">
          <div class="govuk-summary-card__title-wrapper">
            <h3 class="govuk-summary-card__title">Police &lt;CID&gt;</h3>
            <ul class="govuk-summary-card__actions">
              <li class="govuk-summary-card__action"><a class="govuk-link" href="/chase">Record a
                chase<span class="govuk-visually-hidden"> (Police &lt;CID&gt;)</span></a></li>
              <li class="govuk-summary-card__action"><a class="govuk-link" href="/respond">Record
                their response<span
                class="govuk-visually-hidden"> (Police &lt;CID&gt;)</span></a></li>
            </ul>
          </div>
          <div class="govuk-summary-card__content">
            <p class="govuk-body">Body</p>
          </div>
        </div>
        """,
    )


def test_a_summary_card_title_as_markup_and_one_action():
    html = render(
        '{% summary_card "Concern" %}'
        '{% summary_card_title %}<a class="govuk-link" href="/c">{{ ref }}</a> '
        '{% tag "Open" "yellow" %}{% endsummary_card_title %}'
        '{% summary_card_action "/close" "Close" hidden="concern" %}'
        '{% summary_list %}{% summary_row "Risk" %}Self-harm{% endsummary_row %}'
        "{% endsummary_list %}"
        "{% endsummary_card %}",
        ref="SG-1 & <2>",
    )
    assertHTMLEqual(
        html,
        """
        <div class="govuk-summary-card">
          <div class="govuk-summary-card__title-wrapper">
            <h2 class="govuk-summary-card__title"><a class="govuk-link" href="/c">SG-1 &amp;
              &lt;2&gt;</a> <strong class="govuk-tag govuk-tag--yellow">Open</strong></h2>
            <div class="govuk-summary-card__actions"><a class="govuk-link" href="/close">Close<span
              class="govuk-visually-hidden"> concern (Concern)</span></a></div>
          </div>
          <div class="govuk-summary-card__content">
            <dl class="govuk-summary-list">
              <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">Risk</dt>
                <dd class="govuk-summary-list__value">Self-harm</dd>
              </div>
            </dl>
          </div>
        </div>
        """,
    )


def test_card_parts_outside_a_card_are_an_error():
    with pytest.raises(TemplateSyntaxError, match="inside"):
        render('{% summary_card_action "/a" "A" %}')
    with pytest.raises(TemplateSyntaxError, match="inside"):
        render("{% summary_card_title %}A{% endsummary_card_title %}")


# Tag


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{% tag "Open" "green" %}', '<strong class="govuk-tag govuk-tag--green">Open</strong>'),
        ('{% tag "Sending" %}', '<strong class="govuk-tag">Sending</strong>'),
        (
            '{% tag "Yes" "red" lang="en" %}',
            '<strong class="govuk-tag govuk-tag--red" lang="en">Yes</strong>',
        ),
        (
            '{% tag _("Beta") classes="govuk-phase-banner__content__tag" %}',
            '<strong class="govuk-tag govuk-phase-banner__content__tag">Beta</strong>',
        ),
        (
            "{% tag text colour %}",
            '<strong class="govuk-tag govuk-tag--grey">&lt;script&gt;x&lt;/script&gt;</strong>',
        ),
    ],
)
def test_tag(source, expected):
    html = render(source, text="<script>x</script>", colour="grey")
    assert html == expected


def test_a_tag_shows_a_blocktranslate_result_once_escaped():
    html = render(
        "{% blocktranslate with who=name asvar said %}Done by {{ who }}{% endblocktranslate %}"
        '{% tag said "green" %}',
        name="O'Brien & <co>",
    )
    assert html == (
        '<strong class="govuk-tag govuk-tag--green">Done by O&#x27;Brien &amp; &lt;co&gt;</strong>'
    )


# Table


def test_a_table_with_a_caption_a_head_and_rows():
    html = render(
        '{% table caption=_("Caseloads") caption_classes="govuk-table__caption--m" id="caps" %}'
        '{% table_head %}{% th "Name" %}{% th "Caseload" numeric=True %}'
        '{% th "Actions" visually_hidden=True %}{% endtable_head %}'
        "{% for row in rows %}"
        '<tr class="govuk-table__row"><td class="govuk-table__cell">{{ row }}</td></tr>'
        "{% endfor %}"
        "{% endtable %}",
        rows=["<Ann>"],
    )
    assertHTMLEqual(
        html,
        """
        <div class="lw-table-scroll" role="region" aria-label="Caseloads" tabindex="0">
        <table class="govuk-table" id="caps">
          <caption class="govuk-table__caption govuk-table__caption--m">Caseloads</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Name</th>
              <th scope="col" class="govuk-table__header govuk-table__header--numeric">Caseload</th>
              <th scope="col" class="govuk-table__header"><span
                class="govuk-visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            <tr class="govuk-table__row"><td class="govuk-table__cell">&lt;Ann&gt;</td></tr>
          </tbody>
        </table>
        </div>
        """,
    )


def test_an_empty_table_row_spans_the_columns_shown():
    source = (
        "{% table %}{% table_head %}"
        '{% th "A" %}{% if wide %}{% th "B" %}{% th "C" %}{% endif %}'
        "{% endtable_head %}"
        "{% for row in rows %}{% empty %}"
        "{% table_empty %}{{ none }}{% endtable_empty %}{% endfor %}"
        "{% endtable %}"
    )
    empty_row = (
        '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{}">'
        "No rows &amp; no more</td></tr>"
    )
    assert empty_row.format(3) in render(source, wide=True, rows=[], none="No rows & no more")
    assert empty_row.format(1) in render(source, wide=False, rows=[], none="No rows & no more")


def test_a_table_without_a_head_or_caption():
    html = render(
        '{% table classes="govuk-table--small-text-until-tablet" %}'
        '<tr class="govuk-table__row"><td class="govuk-table__cell">1</td></tr>'
        "{% endtable %}"
    )
    assertHTMLEqual(
        html,
        """
        <div class="lw-table-scroll" role="region" aria-label="Table" tabindex="0">
        <table class="govuk-table govuk-table--small-text-until-tablet">
          <tbody class="govuk-table__body">
            <tr class="govuk-table__row"><td class="govuk-table__cell">1</td></tr>
          </tbody>
        </table>
        </div>
        """,
    )


def test_a_table_caption_as_markup():
    html = render(
        '{% table caption="Ignored" caption_classes="govuk-table__caption--m" %}'
        '{% table_caption %}{{ site }} <span class="govuk-caption-m">3 waiting</span>'
        "{% endtable_caption %}"
        "{% endtable %}",
        site="Powys & <Ceredigion>",
    )
    assertInHTML(
        """
        <caption class="govuk-table__caption govuk-table__caption--m">Powys &amp;
          &lt;Ceredigion&gt; <span class="govuk-caption-m">3 waiting</span></caption>
        """,
        html,
    )
    assert "Ignored" not in html


def test_table_parts_outside_a_table_are_an_error():
    with pytest.raises(TemplateSyntaxError, match="inside"):
        render("{% table_head %}{% endtable_head %}")
    with pytest.raises(TemplateSyntaxError, match="inside"):
        render("{% table_empty %}None{% endtable_empty %}")


# Against GOV.UK Frontend's own examples

SUMMARY_LIST_FROM_OPTIONS = (
    "{% summary_list classes=classes %}{% for row in rows %}{% if row %}"
    "{% summary_row row.key.text actions=row.actions classes=row.classes"
    " key_classes=row.key.classes value_classes=row.value.classes %}"
    "{% if row.value.html %}{{ row.value.html|safe }}{% else %}{{ row.value.text }}{% endif %}"
    "{% endsummary_row %}"
    "{% endif %}{% endfor %}{% endsummary_list %}"
)

SUMMARY_CARD_FROM_OPTIONS = (
    "{% summary_card card.title.text heading_level=heading_level classes=card.classes %}"
    "{% for action in card_actions %}"
    "{% summary_card_action action.url action.text action.hidden %}"
    "{% endfor %}" + SUMMARY_LIST_FROM_OPTIONS + "{% endsummary_card %}"
)


def _actions(options: dict) -> list[Action]:
    return [
        Action(item["href"], item["text"], item.get("visuallyHiddenText", ""))
        for item in (options or {}).get("items", [])
    ]


def _summary_list_context(options: dict) -> dict:
    rows = [
        {**row, "actions": _actions(row.get("actions"))} if row else row for row in options["rows"]
    ]
    card = options.get("card", {})
    return {
        "classes": options.get("classes", ""),
        "rows": rows,
        "card": card,
        "card_actions": _actions(card.get("actions")),
        "heading_level": card.get("title", {}).get("headingLevel", 2),
    }


@pytest.mark.parametrize(
    "name",
    [
        "default",
        "with actions",
        "with some actions",
        "no-border",
        "key with classes",
        "rows with classes",
        "value with html",
        "with falsy values",
        "empty items array",
    ],
)
def test_summary_list_matches_govuk_frontend(name):
    fixture = govuk_fixture("summary-list", name)
    html = render(SUMMARY_LIST_FROM_OPTIONS, **_summary_list_context(fixture["options"]))
    assertHTMLEqual(html, fixture["html"])


@pytest.mark.parametrize(
    "name",
    [
        "as a summary card with a text header",
        "as a summary card with actions",
        "summary card with only 1 action",
        "summary card with custom classes",
        "as a summary card with a custom header level",
    ],
)
def test_summary_card_matches_govuk_frontend(name):
    fixture = govuk_fixture("summary-list", name)
    html = render(SUMMARY_CARD_FROM_OPTIONS, **_summary_list_context(fixture["options"]))
    assertHTMLEqual(html, fixture["html"])


@pytest.mark.parametrize(
    "name", ["default", "grey", "green", "turquoise", "red", "yellow", "html as text"]
)
def test_tag_matches_govuk_frontend(name):
    fixture = govuk_fixture("tag", name)
    options = fixture["options"]
    colour = options.get("classes", "").removeprefix("govuk-tag--")
    html = render("{% tag text colour %}", text=options["text"], colour=colour)
    assertHTMLEqual(html, fixture["html"])


TABLE_FROM_OPTIONS = """
{% table caption=caption caption_classes=caption_classes classes=classes %}
{% if head %}{% table_head %}{% for item in head %}
{% th item.text numeric=item.numeric classes=item.classes %}
{% endfor %}{% endtable_head %}{% endif %}
{% for row in rows %}<tr class="govuk-table__row">{% for cell in row %}
{% if forloop.first and first_cell_is_header %}
<th scope="row" class="govuk-table__header">{{ cell.text }}</th>
{% else %}
<td class="govuk-table__cell{% if cell.format %} govuk-table__cell--{{ cell.format }}{% endif %}">
{{ cell.text }}</td>
{% endif %}
{% endfor %}</tr>{% endfor %}
{% endtable %}
"""


@pytest.mark.parametrize(
    "name", ["default", "with head", "with head and caption", "classes", "head with classes"]
)
def test_table_matches_govuk_frontend(name):
    fixture = govuk_fixture("table", name)
    options = fixture["options"]
    html = render(
        TABLE_FROM_OPTIONS,
        caption=options.get("caption", ""),
        caption_classes=options.get("captionClasses", ""),
        classes=options.get("classes", ""),
        head=[
            {**item, "numeric": item.get("format") == "numeric"} for item in options.get("head", [])
        ],
        rows=options["rows"],
        first_cell_is_header=options.get("firstCellIsHeader", False),
    )
    # Linkwork's own box round the table, which scrolls on a narrow screen, then GOV.UK's table.
    box = '<div class="lw-table-scroll" role="region" aria-label="'
    assert html.strip().startswith(box) and html.strip().endswith("</div>")
    table = html[html.index("<table") : html.rindex("</table>") + len("</table>")]
    assertHTMLEqual(table, fixture["html"])


def test_a_link_to_hand_over_wraps_and_has_a_copy_button_and_a_qr_code():
    url = "https://linkwork.test/measures/questionnaire/" + "x" * 120 + "/"
    html = render('{% share_link url id="the-link" %}', url=url)
    assert f'<code class="lw-wrap-anywhere" id="the-link">{url}</code>' in html
    # The copy button is hidden until the script finds the browser can copy.
    assert 'data-lw-copy="the-link"' in html
    assert "hidden>Copy the link</button>" in html
    assert 'id="the-link-status" role="status"' in html
    # A QR code, drawn on the server (no script needed), labelled for screen readers.
    assert 'role="img" aria-label="QR code of the link"' in html
    assert "<svg" in html and 'class="qrline"' in html


def test_the_qr_code_holds_the_link():
    import segno

    url = "https://linkwork.test/casework/feedback/abc/"
    html = render("{% share_link url %}", url=url)
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    assert svg == segno.make(url, error="m").svg_inline(scale=4, border=4, light="#fff")
