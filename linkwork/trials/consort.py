"""The CONSORT 2010 flow diagram, drawn as SVG on the server from plain counts.

The template is Figure 1 of the CONSORT 2010 Statement (Schulz, Altman, Moher; BMJ
2010;340:c332): the stages Enrolment, Allocation, Follow-up and Analysis; "Assessed for
eligibility", "Excluded" with its reasons to the right, "Randomised"; then one column per arm
with its allocation, follow-up and analysis boxes, joined by arrows.

Nothing here touches the database: the caller counts, translates the reason labels, decides
which counts its user may follow to the records behind them (`Count.url`), and passes a
`ConsortFlow`. `render_svg` returns the `<svg>` element, `render_text` the same content as plain
text (a text alternative below the diagram, or the export's README), `outline` the boxes and
their lines for a caller that wants to build its own HTML alternative with the links.

Layout: every line of text is wrapped by an estimate of its width (`text_width`, Arial's
advance widths by character class, rounded up), and every box grows with its lines. The arm
columns have fixed widths, so no text can push one column into the next; all the boxes of one
row share the height of the tallest. The drawing has a fixed width (about 990 px for two arms,
more for three): the page should put it in a horizontally scrollable container.

Every piece of text goes through `django.utils.html.escape`; colours, fonts and strokes are
presentation attributes (no `style` element or attribute, which the Content-Security-Policy
would block); there is no script and no external reference. The same input gives the same SVG.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.translation import gettext as _

# --- What the caller passes -----------------------------------------------------------------


@dataclass
class Count:
    n: int
    url: str | None = None  # where the records behind this count are listed; None: plain text

    def __post_init__(self):
        if self.url is not None and not _is_safe_url(self.url):
            raise ValueError(f"Not a link the diagram will draw: {self.url!r}")


@dataclass
class Reason:
    label: str  # already translated, e.g. "Not meeting inclusion criteria"
    count: Count
    children: list["Reason"] = field(default_factory=list)  # sub-reasons, one level deep


@dataclass
class ArmFlow:
    name: str  # e.g. "Immediate support"
    allocated: Count
    received: Count  # received allocated intervention
    not_received: Count  # did not receive allocated intervention
    not_received_reasons: list[Reason]
    lost_to_follow_up: Count
    lost_reasons: list[Reason]
    discontinued: Count  # discontinued intervention (e.g. withdrew)
    discontinued_reasons: list[Reason]
    analysed: Count
    excluded_from_analysis: Count
    excluded_from_analysis_reasons: list[Reason]


@dataclass
class ConsortFlow:
    title: str  # the trial's name
    assessed: Count  # assessed for eligibility
    excluded: Count
    excluded_reasons: list[Reason]
    randomised: Count
    arms: list[ArmFlow]  # usually 2; drawn side by side
    follow_up_label: str = ""  # e.g. "Follow-up (12 weeks after randomisation)"; "" = "Follow-up"


# --- The boxes and their lines ----------------------------------------------------------------

DIAMOND = "\u2666"  # ♦, as in the template
DASH = "\u2013"  # –, a reason under one of the template's lines


@dataclass(frozen=True)
class Line:
    """One line of a box (before wrapping): `depth` 0 is flush left with no bullet; deeper
    lines hang from their `bullet`, one indent further in per level."""

    text: str
    url: str | None = None
    depth: int = 0
    bullet: str = ""
    space_before: int = 0  # extra room above, between the blocks of one box


@dataclass(frozen=True)
class OutlineBox:
    stage: str  # the stage it belongs to, translated: "Enrolment", "Allocation", ...
    arm: str | None  # the arm's name, for the boxes of one arm
    lines: tuple[Line, ...]


def _line(count: Count, template: str, *, depth: int = 0, space_before: int = 0, **values):
    """One of the template's lines: its wording with the count's n (and `values`) in it,
    linked when the count has a url; below the box's first line, with the template's ♦."""
    text = template % {"n": count.n, **values}
    bullet = DIAMOND if depth else ""
    return Line(text, url=count.url, depth=depth, bullet=bullet, space_before=space_before)


def _reason_lines(reasons: list[Reason], depth: int, bullet: str = DASH) -> list[Line]:
    """Each reason, with its sub-reasons under it one level further in."""
    lines = []
    for reason in reasons:
        text = _("%(label)s (n=%(n)s)") % {"label": _clean(reason.label), "n": reason.count.n}
        lines.append(Line(text, url=reason.count.url, depth=depth, bullet=bullet))
        lines.extend(_reason_lines(reason.children, depth + 1))
    return lines


def _assessed(flow: ConsortFlow) -> list[Line]:
    return [_line(flow.assessed, _("Assessed for eligibility (n=%(n)s)"))]


def _excluded(flow: ConsortFlow) -> list[Line]:
    return [
        _line(flow.excluded, _("Excluded (n=%(n)s)")),
        *_reason_lines(flow.excluded_reasons, depth=1, bullet=DIAMOND),
    ]


def _randomised(flow: ConsortFlow) -> list[Line]:
    return [_line(flow.randomised, _("Randomised (n=%(n)s)"))]


def _allocated(arm: ArmFlow) -> list[Line]:
    return [
        _line(arm.allocated, _("Allocated to %(arm)s (n=%(n)s)"), arm=_clean(arm.name)),
        _line(arm.received, _("Received allocated intervention (n=%(n)s)"), depth=1),
        _line(
            arm.not_received,
            _("Did not receive allocated intervention (give reasons) (n=%(n)s)"),
            depth=1,
        ),
        *_reason_lines(arm.not_received_reasons, depth=2),
    ]


def _followed_up(arm: ArmFlow) -> list[Line]:
    return [
        _line(arm.lost_to_follow_up, _("Lost to follow-up (give reasons) (n=%(n)s)")),
        *_reason_lines(arm.lost_reasons, depth=1),
        _line(
            arm.discontinued,
            _("Discontinued intervention (give reasons) (n=%(n)s)"),
            space_before=BLOCK_GAP,
        ),
        *_reason_lines(arm.discontinued_reasons, depth=1),
    ]


def _analysed(arm: ArmFlow) -> list[Line]:
    return [
        _line(arm.analysed, _("Analysed (n=%(n)s)")),
        _line(
            arm.excluded_from_analysis,
            _("Excluded from analysis (give reasons) (n=%(n)s)"),
            depth=1,
        ),
        *_reason_lines(arm.excluded_from_analysis_reasons, depth=2),
    ]


def _stages(flow: ConsortFlow) -> tuple[str, str, str, str]:
    follow_up = _clean(flow.follow_up_label) or _("Follow-up")
    return _("Enrolment"), _("Allocation"), follow_up, _("Analysis")


ARM_ROWS = (_allocated, _followed_up, _analysed)


def outline(flow: ConsortFlow) -> list[OutlineBox]:
    """The diagram's boxes in reading order: the three enrolment boxes, then each arm's
    allocation box, each arm's follow-up box, each arm's analysis box."""
    enrolment, *arm_stages = _stages(flow)
    boxes = [
        OutlineBox(enrolment, None, tuple(lines(flow)))
        for lines in (_assessed, _excluded, _randomised)
    ]
    for stage, lines in zip(arm_stages, ARM_ROWS, strict=True):
        boxes.extend(OutlineBox(stage, _clean(arm.name), tuple(lines(arm))) for arm in flow.arms)
    return boxes


def render_text(flow: ConsortFlow) -> list[str]:
    """The diagram as plain text, one string per box: a heading line (the stage, and the arm),
    then the box's lines, indented two spaces per level. Join them with blank lines for a
    README; in HTML, `linebreaksbr` each one (or build the list from `outline`)."""
    texts = []
    for box in outline(flow):
        heading = box.stage
        if box.arm is not None:
            # Translators: a heading in the CONSORT diagram's text version, e.g.
            # "Follow-up — Immediate support".
            heading = _("%(stage)s — %(arm)s") % {"stage": box.stage, "arm": box.arm}
        rows = [heading]
        for line in box.lines:
            bullet = f"{line.bullet} " if line.bullet else ""
            rows.append(f"{'  ' * line.depth}{bullet}{line.text}")
        texts.append("\n".join(rows))
    return texts


def describe(flow: ConsortFlow) -> str:
    """A plain-text summary of the whole flow, for the diagram's `<desc>`."""
    parts = [
        _("Assessed for eligibility: %(n)s.") % {"n": flow.assessed.n},
        _("Excluded: %(n)s%(reasons)s.")
        % {"n": flow.excluded.n, "reasons": _summary(flow.excluded_reasons)},
        _("Randomised: %(n)s.") % {"n": flow.randomised.n},
    ]
    for arm in flow.arms:
        parts.append(
            _(
                "%(arm)s: allocated %(allocated)s; received allocated intervention "
                "%(received)s; did not receive allocated intervention %(not_received)s"
                "%(not_received_reasons)s; lost to follow-up %(lost)s%(lost_reasons)s; "
                "discontinued intervention %(discontinued)s%(discontinued_reasons)s; "
                "analysed %(analysed)s; excluded from analysis %(excluded)s"
                "%(excluded_reasons)s."
            )
            % {
                "arm": _clean(arm.name),
                "allocated": arm.allocated.n,
                "received": arm.received.n,
                "not_received": arm.not_received.n,
                "not_received_reasons": _summary(arm.not_received_reasons),
                "lost": arm.lost_to_follow_up.n,
                "lost_reasons": _summary(arm.lost_reasons),
                "discontinued": arm.discontinued.n,
                "discontinued_reasons": _summary(arm.discontinued_reasons),
                "analysed": arm.analysed.n,
                "excluded": arm.excluded_from_analysis.n,
                "excluded_reasons": _summary(arm.excluded_from_analysis_reasons),
            }
        )
    return " ".join(parts)


def _summary(reasons: list[Reason]) -> str:
    """' (label: n (child: n; child: n); label: n)', or '' with no reasons."""
    if not reasons:
        return ""
    items = [
        _("%(label)s: %(n)s") % {"label": _clean(reason.label), "n": reason.count.n}
        + _summary(reason.children)
        for reason in reasons
    ]
    return " (" + "; ".join(items) + ")"


# --- Text measurement and wrapping -------------------------------------------------------------

FONT_FAMILY = 'Arial, "Liberation Sans", Helvetica, sans-serif'
FONT_SIZE = 15
STAGE_FONT_SIZE = 16
LINE_HEIGHT = 20
BASELINE = 15  # from the top of a line's 20 px to its baseline
BOLD = 1.1  # bold text is about a tenth wider

# Arial's advance widths (in ems), by class, each class at its widest member: an estimate that
# errs wide, so a line measured to fit does fit in Arial, Liberation Sans and Helvetica.
_WIDTHS = {
    "'|ijl": 0.26,
    " .,:;!fIt/\\": 0.28,
    'r()-[]{}`"*': 0.36,
    "ckvxyzJ_": 0.50,
    "abdeghnopqsuL0123456789?$#~^+=<>": 0.59,
    "FTZ": 0.62,
    "ABEKPSVXY&": 0.67,
    "CDHNRUw": 0.73,
    "GOQ": 0.78,
    "mM%": 0.89,
    "W@": 1.02,
}
_WIDTH = {char: width for chars, width in _WIDTHS.items() for char in chars}
_OTHER = 0.75  # letters outside ASCII without an ASCII base letter, symbols, dashes
_WIDE = 1.0  # CJK and other full-width characters


def char_width(char: str) -> float:
    """The estimated advance of one character, in ems."""
    if char in _WIDTH:
        return _WIDTH[char]
    base = unicodedata.normalize("NFD", char)[:1]  # ŵ → w, ŷ → y, â → a
    if base in _WIDTH:
        return _WIDTH[base]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    return _OTHER


def text_width(text: str, size: float = FONT_SIZE, *, bold: bool = False) -> float:
    """The estimated width, in px, of `text` set at `size` px."""
    return sum(map(char_width, text)) * size * (BOLD if bold else 1.0)


def wrap(text: str, width: float, size: float = FONT_SIZE, *, bold: bool = False) -> list[str]:
    """`text` broken at spaces into rows no wider than `width` px (by `text_width`). A word
    wider than a whole row is broken between characters."""
    rows: list[str] = []
    row = ""
    for word in text.split():
        candidate = f"{row} {word}" if row else word
        if text_width(candidate, size, bold=bold) <= width:
            row = candidate
            continue
        if row:
            rows.append(row)
        row = ""
        while text_width(word, size, bold=bold) > width:
            cut = 1
            while cut < len(word) and text_width(word[: cut + 1], size, bold=bold) <= width:
                cut += 1
            rows.append(word[:cut])
            word = word[cut:]
        row = word
    if row or not rows:
        rows.append(row)
    return rows


# Characters XML 1.0 does not allow, even escaped: C0 controls other than tab, newline and
# carriage return, unpaired surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """User text as one line: characters XML cannot hold dropped, runs of white space one."""
    return " ".join(_NOT_XML.sub("", str(text)).split())


def _is_safe_url(url: str) -> bool:
    """A path, or an http(s) address: never `javascript:` or `data:`, nor anything with white
    space or control characters a browser would quietly drop before reading the scheme."""
    if not url or any(char <= " " or char == "\x7f" for char in url):
        return False
    return urlsplit(url).scheme in ("", "http", "https")


# --- Layout -------------------------------------------------------------------------------------

MARGIN = 16
STAGE_WIDTH = 150  # the stage labels' column, down the left
STAGE_GAP = 24
ARM_WIDTH = 370  # with one or two arms
ARM_WIDTH_MANY = 320  # with three or more
ARM_GAP = 40
MIN_CONTENT_WIDTH = 780  # room for the excluded box beside the enrolment trunk
ENROLMENT_WIDTH = 300  # assessed and randomised, centred on the trunk
EXCLUDED_OFFSET = 40  # from the trunk to the excluded box
PAD_X = 12
PAD_Y = 10
INDENT = 16  # per level; a bullet sits one indent left of its text
BLOCK_GAP = 8
ROW_GAP = 44  # between an arm's boxes, for the arrow
ENROLMENT_GAP = 32  # between the enrolment boxes
SPLIT_GAP = 22  # from the randomised box down to the line across the arms
STROKE = "#0b0c0c"
TEXT = "#0b0c0c"
LINK = "#1d70b8"  # GOV.UK link colour


@dataclass(frozen=True)
class _Row:
    text: str
    x: int  # where the row starts, from the box's left edge
    y: int  # its baseline, from the box's top


@dataclass(frozen=True)
class _Run:
    """One of a box's lines, laid out: its bullet (if any) and its wrapped rows."""

    url: str | None
    bullet: _Row | None
    rows: tuple[_Row, ...]


@dataclass(frozen=True)
class _Layout:
    runs: tuple[_Run, ...]
    height: int


def _lay_out(lines: list[Line] | tuple[Line, ...], width: int) -> _Layout:
    runs = []
    y = PAD_Y
    for line in lines:
        y += line.space_before
        x = PAD_X + line.depth * INDENT
        bullet = _Row(line.bullet, x - INDENT, y + BASELINE) if line.bullet else None
        rows = []
        for text in wrap(line.text, width - x - PAD_X):
            rows.append(_Row(text, x, y + BASELINE))
            y += LINE_HEIGHT
        runs.append(_Run(line.url, bullet, tuple(rows)))
    return _Layout(tuple(runs), y + PAD_Y)


def _stage_layout(label: str) -> list[str]:
    return wrap(label, STAGE_WIDTH - 2 * PAD_X, STAGE_FONT_SIZE, bold=True)


def _stage_height(label: str) -> int:
    return len(_stage_layout(label)) * LINE_HEIGHT + 2 * PAD_Y


class _Canvas:
    """The SVG's elements, in drawing order, one per line of output."""

    def __init__(self):
        self.parts: list[str] = []

    def add(self, markup: str):
        self.parts.append(markup)

    def box(self, x: int, y: int, width: int, height: int, layout: _Layout):
        self.add('<g class="consort-box">')
        self.add(_rect(x, y, width, height))
        for run in layout.runs:
            if run.bullet:
                self.add(_text(x + run.bullet.x, y + run.bullet.y, run.bullet.text))
            texts = [_text(x + row.x, y + row.y, row.text, link=bool(run.url)) for row in run.rows]
            if run.url:
                self.add(f'<a href="{escape(run.url)}" class="consort-link">')
                self.parts.extend(texts)
                self.add("</a>")
            else:
                self.parts.extend(texts)
        self.add("</g>")

    def stage(self, x: int, y: int, height: int, label: str):
        rows = _stage_layout(label)
        self.add('<g class="consort-stage">')
        self.add(_rect(x, y, STAGE_WIDTH, height, rounded=True))
        top = y + (height - len(rows) * LINE_HEIGHT) // 2
        centre = x + STAGE_WIDTH // 2
        for i, row in enumerate(rows):
            self.add(
                f'<text x="{centre}" y="{top + i * LINE_HEIGHT + BASELINE}" '
                f'text-anchor="middle" font-size="{STAGE_FONT_SIZE}" font-weight="bold" '
                f'fill="{TEXT}">{escape(row)}</text>'
            )
        self.add("</g>")

    def line(self, x1: int, y1: int, x2: int, y2: int, *, arrow: str | None = None):
        # An arrow ends at its tip; a connector's square ends fill the corners it turns.
        end = f' marker-end="url(#{arrow})"' if arrow else ' stroke-linecap="square"'
        self.add(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{STROKE}" '
            f'stroke-width="1.5"{end}/>'
        )


def _rect(x: int, y: int, width: int, height: int, *, rounded: bool = False) -> str:
    corners = ' rx="8" ry="8"' if rounded else ""
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}"{corners} fill="#ffffff" '
        f'stroke="{STROKE}" stroke-width="1.5"/>'
    )


def _text(x: int, y: int, text: str, *, link: bool = False) -> str:
    paint = f'fill="{LINK}" text-decoration="underline"' if link else f'fill="{TEXT}"'
    return f'<text x="{x}" y="{y}" {paint}>{escape(text)}</text>'


_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def render_svg(flow: ConsortFlow, *, id_prefix: str = "consort") -> str:
    """The flow diagram as an `<svg>` element: standalone (it can be saved as a .svg file) or
    inline in an HTML page. `id_prefix` names its title, description and arrowhead: give each
    diagram on one page its own."""
    if not flow.arms:
        raise ValueError("A CONSORT diagram needs at least one arm.")
    if not _ID.fullmatch(id_prefix):
        raise ValueError(f"Not an id: {id_prefix!r}")
    title_id, desc_id, arrow = f"{id_prefix}-title", f"{id_prefix}-desc", f"{id_prefix}-arrow"

    arm_width = ARM_WIDTH if len(flow.arms) <= 2 else ARM_WIDTH_MANY
    arms_width = len(flow.arms) * arm_width + (len(flow.arms) - 1) * ARM_GAP
    content_width = max(arms_width, MIN_CONTENT_WIDTH)
    content_x = MARGIN + STAGE_WIDTH + STAGE_GAP
    trunk = content_x + content_width // 2
    first_arm_x = content_x + (content_width - arms_width) // 2
    arm_xs = [first_arm_x + i * (arm_width + ARM_GAP) for i in range(len(flow.arms))]
    arm_centres = [x + arm_width // 2 for x in arm_xs]
    width = content_x + content_width + MARGIN
    stage_x = MARGIN

    canvas = _Canvas()

    # Enrolment: assessed; excluded to the right of the trunk; randomised.
    enrolment_stage, *arm_stages = _stages(flow)
    enrolment_x = trunk - ENROLMENT_WIDTH // 2
    excluded_x = trunk + EXCLUDED_OFFSET
    excluded_width = content_x + content_width - excluded_x
    assessed = _lay_out(_assessed(flow), ENROLMENT_WIDTH)
    excluded = _lay_out(_excluded(flow), excluded_width)
    randomised = _lay_out(_randomised(flow), ENROLMENT_WIDTH)

    boxes_height = assessed.height + excluded.height + randomised.height + 2 * ENROLMENT_GAP
    # A long stage label gets the room it needs, and the boxes are centred beside it.
    enrolment_height = max(boxes_height, _stage_height(enrolment_stage))
    assessed_y = MARGIN + (enrolment_height - boxes_height) // 2
    excluded_y = assessed_y + assessed.height + ENROLMENT_GAP
    randomised_y = excluded_y + excluded.height + ENROLMENT_GAP
    enrolment_bottom = randomised_y + randomised.height

    canvas.stage(stage_x, MARGIN, enrolment_height, enrolment_stage)
    canvas.box(enrolment_x, assessed_y, ENROLMENT_WIDTH, assessed.height, assessed)
    canvas.box(excluded_x, excluded_y, excluded_width, excluded.height, excluded)
    canvas.box(enrolment_x, randomised_y, ENROLMENT_WIDTH, randomised.height, randomised)
    canvas.line(trunk, assessed_y + assessed.height, trunk, randomised_y, arrow=arrow)
    branch_y = excluded_y + excluded.height // 2
    canvas.line(trunk, branch_y, excluded_x, branch_y, arrow=arrow)

    # From randomised down to a line across the arms, and an arrow down to each arm.
    split_y = enrolment_bottom + SPLIT_GAP
    y = max(split_y + ENROLMENT_GAP, MARGIN + enrolment_height + ROW_GAP // 2)
    if len(flow.arms) == 1:
        canvas.line(trunk, enrolment_bottom, trunk, y, arrow=arrow)
    else:
        canvas.line(trunk, enrolment_bottom, trunk, split_y)
        canvas.line(arm_centres[0], split_y, arm_centres[-1], split_y)
        for centre in arm_centres:
            canvas.line(centre, split_y, centre, y, arrow=arrow)

    # Allocation, follow-up and analysis: one row each, one box per arm, all of a row's boxes
    # as tall as its tallest (or as its stage label).
    for index, (stage, lines) in enumerate(zip(arm_stages, ARM_ROWS, strict=True)):
        if index:
            for centre in arm_centres:
                canvas.line(centre, y - ROW_GAP, centre, y, arrow=arrow)
        layouts = [_lay_out(lines(arm), arm_width) for arm in flow.arms]
        height = max(*(layout.height for layout in layouts), _stage_height(stage))
        canvas.stage(stage_x, y, height, stage)
        for x, layout in zip(arm_xs, layouts, strict=True):
            canvas.box(x, y, arm_width, height, layout)
        y += height + ROW_GAP
    height = y - ROW_GAP + MARGIN

    # Translators: the title of a trial's CONSORT diagram; %(title)s is the trial's name.
    title = _("%(title)s — CONSORT 2010 flow diagram") % {"title": _clean(flow.title)}
    # With links in it the drawing is a group (its links stay reachable by screen readers,
    # which an image would hide); without, an image described by its summary.
    links = any(line.url for box in outline(flow) for line in box.lines)
    role = "group" if links else "img"
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="{role}" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" class="consort-diagram" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(flow))}</desc>',
        "<defs>",
        f'<marker id="{arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" '
        'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">',
        f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{STROKE}"/>',
        "</marker>",
        "</defs>",
        f'<rect class="consort-background" x="0" y="0" width="{width}" height="{height}" '
        'fill="#ffffff"/>',
    ]
    return "\n".join([*head, *canvas.parts, "</svg>"]) + "\n"
