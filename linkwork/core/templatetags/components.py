"""GOV.UK Frontend components as template tags: summary lists and cards, tags and tables.

Each writes the markup of GOV.UK Frontend's Nunjucks macro of the same name, from one template
in `core/templates/components/`. How to use them: docs/developer/components.md.

Text given as an argument (a key, a title, a link's words) is escaped like any other variable,
so a translated literal such as `_("Name")` is shown as `{% translate %}` would show it.
The body of a block tag is what the template inside it rendered: it is already escaped, and
is used as it is.

The summary list, the summary card and the table are containers: the tags inside them
(`summary_row`; `summary_card_title`, `summary_card_action`; `table_caption`, `table_head`)
write nothing where they stand but hand their part to the container, which writes the whole
component. That is how GOV.UK's rules that need every part known at once hold: a row without
actions in a list where another row has some gets `govuk-summary-list__row--no-actions`, and a
card with one action writes it without a list. `table_empty` spans the columns `th` counted.
"""

from dataclasses import dataclass, field

import segno
from django import template
from django.template.library import SimpleBlockNode
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class Action:
    """A link for a summary list row or a summary card: `hidden` finishes its words for
    screen readers ("Change" + " phone number"), as GOV.UK asks, so that each link says
    what it changes."""

    url: str
    text: str
    hidden: str = ""


@dataclass
class _Row:
    key: str
    value: str
    actions: list[Action]
    classes: str
    key_classes: str
    value_classes: str


@dataclass
class _SummaryListParts:
    rows: list[_Row] = field(default_factory=list)


@dataclass
class _SummaryCardParts:
    title: str | None = None
    actions: list[Action] = field(default_factory=list)


@dataclass
class _TableParts:
    caption: str | None = None
    head: str | None = None
    columns: int = 0


_PARTS_KEY = {
    _SummaryListParts: "_component_summary_list",
    _SummaryCardParts: "_component_summary_card",
    _TableParts: "_component_table",
}


class _ContainerNode(SimpleBlockNode):
    """A simple block tag whose body hands it parts through the context while it renders.

    Django's simple block tag renders its body before calling the tag's function; this one
    puts a fresh parts object in the context for that rendering and then passes it to the
    function as `parts`. A container nested in another gets its own parts object.
    """

    def __init__(self, parts_class, node):
        super().__init__(
            node.nodelist, node.func, node.takes_context, node.args, node.kwargs, node.target_var
        )
        self.parts_class = parts_class

    def get_resolved_arguments(self, context):
        parts = self.parts_class()
        with context.push({_PARTS_KEY[self.parts_class]: parts}):
            args, kwargs = super().get_resolved_arguments(context)
        kwargs["parts"] = parts
        return args, kwargs


def _container(parts_class):
    """Register the function as a block tag whose body hands it parts (see `_ContainerNode`)."""

    def decorator(func):
        register.simple_block_tag(func)
        compile_simple = register.tags[func.__name__]

        def compile_func(parser, token):
            node = compile_simple(parser, token)
            if "parts" in node.kwargs:
                raise template.TemplateSyntaxError(
                    f"'{func.__name__}' collects its parts itself: do not pass parts="
                )
            return _ContainerNode(parts_class, node)

        register.tag(func.__name__, compile_func)
        return func

    return decorator


def _parts(context, parts_class, tag_name, container_name):
    parts = context.get(_PARTS_KEY[parts_class])
    if parts is None:
        raise template.TemplateSyntaxError(
            f"'{tag_name}' belongs inside '{{% {container_name} %}}'"
        )
    return parts


def _trimmed(content):
    """The rendered body of a block tag without the whitespace around it.

    The body is template output (a SafeString, escaped where it showed variables), so
    trimming it keeps it safe: GOV.UK trims values too, and `lw-pre` would show the spaces.
    """
    if not isinstance(content, SafeData):
        raise TypeError("a block tag's body is rendered template output")
    return mark_safe(content.strip())  # noqa: S308 - template output, trimmed of whitespace


def _only_whitespace(content, container_name, child_names):
    if content.strip():
        raise template.TemplateSyntaxError(
            f"'{{% {container_name} %}}' holds only {child_names}, not {content.strip()[:60]!r}"
        )


def _actions(url, text, hidden, actions):
    found = list(actions or ())
    if url:
        found.insert(0, Action(url=url, text=text, hidden=hidden))
    for action in found:
        if not action.text:
            raise template.TemplateSyntaxError("an action needs its link text")
    return found


# Summary list


@_container(_SummaryListParts)
def summary_list(content, *, no_border=False, classes="", parts=None):
    """`{% summary_list %}` with `{% summary_row %}`s inside: GOV.UK's summary list."""
    _only_whitespace(content, "summary_list", "summary_row tags")
    rows = parts.rows
    return render_to_string(
        "components/summary_list.html",
        {
            "rows": rows,
            "any_actions": any(row.actions for row in rows),
            "no_border": no_border,
            "classes": classes,
        },
    )


@register.simple_block_tag(takes_context=True)
def summary_row(
    context,
    content,
    key,
    *,
    action_url="",
    action_text="",
    action_hidden="",
    actions=(),
    classes="",
    key_classes="",
    value_classes="",
):
    """One row of a summary list: the key, the body as its value, and any actions.

    One action: `action_url`, `action_text` and `action_hidden` (the words that finish the
    link text for screen readers). More: `actions`, a list of `Action`s.
    """
    _parts(context, _SummaryListParts, "summary_row", "summary_list").rows.append(
        _Row(
            key=key,
            value=_trimmed(content),
            actions=_actions(action_url, action_text, action_hidden, actions),
            classes=classes,
            key_classes=key_classes,
            value_classes=value_classes,
        )
    )
    return ""


# Summary card


@_container(_SummaryCardParts)
def summary_card(content, title="", *, heading_level=2, id="", classes="", parts=None):
    """`{% summary_card title %}`: GOV.UK's summary card around its body.

    `title` is the heading, and the card's name in each action's hidden text, as GOV.UK
    does. `{% summary_card_title %}` inside gives the heading markup (a link, a tag) instead.
    """
    if not 1 <= int(heading_level) <= 6:
        raise template.TemplateSyntaxError("a card's heading_level is 1 to 6")
    return render_to_string(
        "components/summary_card.html",
        {
            "title": title,
            "title_html": parts.title,
            "heading_level": int(heading_level),
            "actions": parts.actions,
            "content": _trimmed(content),
            "id": id,
            "classes": classes,
        },
    )


@register.simple_block_tag(takes_context=True)
def summary_card_title(context, content):
    """The heading of the summary card it is in, as markup."""
    _parts(context, _SummaryCardParts, "summary_card_title", "summary_card").title = _trimmed(
        content
    )
    return ""


@register.simple_tag(takes_context=True)
def summary_card_action(context, url, text, hidden=""):
    """A link in the title bar of the summary card it is in."""
    parts = _parts(context, _SummaryCardParts, "summary_card_action", "summary_card")
    parts.actions.extend(_actions(url, text, hidden, ()))
    return ""


# Tag


@register.inclusion_tag("components/tag.html")
def tag(text, colour="", *, classes="", lang=""):
    """`{% tag text colour %}`: GOV.UK's tag. No colour gives GOV.UK's default (blue)."""
    return {"text": text, "colour": colour, "classes": classes, "lang": lang}


# Table


@_container(_TableParts)
def table(content, *, caption="", caption_classes="", classes="", id="", parts=None):
    """`{% table %}`: GOV.UK's table, with `{% table_head %}` and then the body's rows.

    `caption` is the caption's text; `{% table_caption %}` inside gives it as markup instead.
    """
    return render_to_string(
        "components/table.html",
        {
            "caption": parts.caption or caption,
            "caption_classes": caption_classes,
            "head": parts.head,
            "body": _trimmed(content),
            "classes": classes,
            "id": id,
            "label": strip_tags(parts.caption or caption).strip() or _("Table"),
        },
    )


@register.simple_block_tag(takes_context=True)
def table_caption(context, content):
    """The caption of the table it is in, as markup."""
    _parts(context, _TableParts, "table_caption", "table").caption = _trimmed(content)
    return ""


@register.simple_block_tag(takes_context=True)
def table_head(context, content):
    """The header row of the table it is in: `{% th %}`s."""
    parts = _parts(context, _TableParts, "table_head", "table")
    parts.head = _trimmed(content)
    return ""


@register.inclusion_tag("components/table_header.html", takes_context=True)
def th(context, text, *, numeric=False, visually_hidden=False, classes=""):
    """A column header. `visually_hidden` for a column of links that needs no visible name."""
    parts = context.get(_PARTS_KEY[_TableParts])
    if parts is not None and parts.head is None:
        parts.columns += 1
    return {
        "text": text,
        "numeric": numeric,
        "visually_hidden": visually_hidden,
        "classes": classes,
    }


@register.simple_block_tag(takes_context=True)
def table_empty(context, content, *, colspan=None):
    """A row with one cell across every column of the table it is in, for `{% empty %}`."""
    parts = _parts(context, _TableParts, "table_empty", "table")
    return render_to_string(
        "components/table_empty.html",
        {"content": _trimmed(content), "colspan": colspan or parts.columns or 1},
    )


# Chart


@register.inclusion_tag("components/chart.html")
def chart(chart, *, heading_level=3, id=""):
    """`{% chart chart %}`: a `core.charts.Chart` as a figure: its title, the SVG with the summary
    as its caption, the dated events its letters stand for, and the same figures as a table
    (in a details element, so the page stays short), each linked to its records if it can be."""
    return {"chart": chart, "heading_level": heading_level, "id": id}


# Links to hand over


@register.inclusion_tag("components/share_link.html")
def share_link(url, *, id="share-link"):
    """`{% share_link url %}`: a link for someone to open on their own phone, shown so that it
    can be handed over: wrapped however long it is, with a copy button (where the browser can
    copy) and a QR code to scan from the screen."""
    qr = segno.make(str(url), error="m").svg_inline(scale=4, border=4, light="#fff")
    return {"url": url, "id": id, "qr": mark_safe(qr)}  # noqa: S308 - segno's own SVG paths
