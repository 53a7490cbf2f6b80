"""The CONSORT 2010 flow diagram (`linkwork.trials.consort`): well-formed SVG with every count
in its box, links only where a count has a url, user text escaped, text wrapped inside its
box, and boxes that never overlap, whatever the labels' length, the number of arms or the
language. No database: the module draws from plain counts."""

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

import pytest
from django.utils import translation

from linkwork.trials.consort import (
    FONT_SIZE,
    ArmFlow,
    ConsortFlow,
    Count,
    Reason,
    describe,
    outline,
    render_svg,
    render_text,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"
MALICIOUS = "<script>alert(1)</script> & \"double\" 'single'"


def url(name: str) -> str:
    return f"/trials/7/records/?count={name.replace(' ', '-').lower()}&page=1"


def arm(name: str, start: int, *, links: bool = True) -> ArmFlow:
    """An arm whose counts are all different (start, start + 1, ...), each with its own url
    when `links`, except `received`, which never has one."""
    n = itertools.count(start)

    def count(key: str) -> Count:
        return Count(next(n), url(f"{name}-{key}") if links else None)

    return ArmFlow(
        name=name,
        allocated=count("allocated"),
        received=Count(next(n)),
        not_received=count("not-received"),
        not_received_reasons=[Reason("Did not engage", Count(next(n)))],
        lost_to_follow_up=count("lost"),
        lost_reasons=[Reason("Could not be contacted", count("lost-contact"))],
        discontinued=count("discontinued"),
        discontinued_reasons=[Reason("Withdrew", Count(next(n)))],
        analysed=count("analysed"),
        excluded_from_analysis=Count(next(n)),
        excluded_from_analysis_reasons=[],
    )


def flow(n_arms: int = 2, **changes) -> ConsortFlow:
    example = ConsortFlow(
        title="Link Up trial",
        assessed=Count(140, url("assessed")),
        excluded=Count(38, url("excluded")),
        excluded_reasons=[
            Reason(
                "Not meeting inclusion criteria",
                Count(21, url("ineligible")),
                [
                    Reason("Needs above the service's remit", Count(12)),
                    Reason("Under 18", Count(6, url("under-18"))),
                    Reason("Already supported elsewhere", Count(4)),
                ],
            ),
            Reason(
                "Declined to participate",
                Count(14),
                [Reason("Did not want research", Count(9)), Reason("Not to wait", Count(5))],
            ),
            Reason("Other reasons", Count(3)),
        ],
        randomised=Count(102),
        arms=[arm(f"Arm {letter}", 1000 * (i + 1)) for i, letter in enumerate("ABC"[:n_arms])],
        follow_up_label="Follow-up (12 weeks after randomisation)",
    )
    return replace(example, **changes)


def all_counts(consort: ConsortFlow) -> list[Count]:
    def reasons(items: list[Reason]) -> list[Count]:
        return [c for r in items for c in (r.count, *reasons(r.children))]

    counts = [consort.assessed, consort.excluded, consort.randomised]
    counts += reasons(consort.excluded_reasons)
    for a in consort.arms:
        counts += [a.allocated, a.received, a.not_received, a.lost_to_follow_up]
        counts += [a.discontinued, a.analysed, a.excluded_from_analysis]
        counts += reasons(a.not_received_reasons) + reasons(a.lost_reasons)
        counts += reasons(a.discontinued_reasons) + reasons(a.excluded_from_analysis_reasons)
    return counts


# --- Reading the SVG back ----------------------------------------------------------------------


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: "Rect") -> bool:
        return not (
            self.right <= other.x
            or other.right <= self.x
            or self.bottom <= other.y
            or other.bottom <= self.y
        )


@dataclass
class Box:
    kind: str  # "consort-box" or "consort-stage"
    rect: Rect
    texts: list[ET.Element]

    @property
    def text(self) -> str:
        """The box's words as read: its rows, bullets included, joined by spaces."""
        return " ".join(t.text or "" for t in self.texts)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted XML)


def rect_of(element: ET.Element) -> Rect:
    return Rect(*(float(element.get(k)) for k in ("x", "y", "width", "height")))


def boxes(root: ET.Element, kind: str | None = None) -> list[Box]:
    found = []
    for group in root.iter(f"{SVG}g"):
        if kind and group.get("class") != kind:
            continue
        (rect,) = group.findall(f"{SVG}rect")
        found.append(Box(group.get("class"), rect_of(rect), list(group.iter(f"{SVG}text"))))
    return found


def the_box(root: ET.Element, starting: str) -> Box:
    (box,) = [b for b in boxes(root, "consort-box") if b.text.startswith(starting)]
    return box


def links(root: ET.Element) -> dict[str, str]:
    """Each link's href → its text, rows joined by spaces."""
    found = {}
    for a in root.iter(f"{SVG}a"):
        assert a.get("href") not in found, f"two links to {a.get('href')}"
        found[a.get("href")] = " ".join(t.text for t in a.iter(f"{SVG}text"))
    return found


def unlinked_text(root: ET.Element) -> str:
    inside_links = {id(t) for a in root.iter(f"{SVG}a") for t in a.iter(f"{SVG}text")}
    return " ".join(t.text for t in root.iter(f"{SVG}text") if id(t) not in inside_links)


def assert_no_overlaps(root: ET.Element):
    rects = [box.rect for box in boxes(root)]
    for a, b in itertools.combinations(rects, 2):
        assert not a.overlaps(b), f"{a} overlaps {b}"


def assert_text_inside_boxes(root: ET.Element):
    """Each text's extent, by the width estimate the wrapper uses, lies inside its own box."""
    default_size = float(root.get("font-size"))
    for box in boxes(root):
        for text in box.texts:
            size = float(text.get("font-size", default_size))
            width = text_width(text.text, size, bold=text.get("font-weight") == "bold")
            x, baseline = float(text.get("x")), float(text.get("y"))
            left = x - width / 2 if text.get("text-anchor") == "middle" else x
            assert box.rect.x < left and left + width < box.rect.right, (text.text, box.rect)
            assert box.rect.y < baseline - size and baseline + size / 3 < box.rect.bottom, (
                text.text,
                box.rect,
            )


# --- The document -------------------------------------------------------------------------------


def without_links(value):
    """The same flow, with no count linked."""
    if isinstance(value, Count):
        value.url = None
    elif isinstance(value, list):
        for item in value:
            without_links(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            without_links(getattr(value, name))
    return value


def test_a_well_formed_svg_with_a_title_and_description_it_is_labelled_by():
    svg = render_svg(flow())
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    # With links (the example has some) it is a group, so they stay reachable; without, an image.
    assert root.get("role") == "group"
    assert parse(render_svg(without_links(flow()))).get("role") == "img"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width:g} {height:g}"
    assert 900 <= width <= 1000

    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    title_id, desc_id = root.get("aria-labelledby"), root.get("aria-describedby")
    assert ids[title_id].tag == f"{SVG}title"
    assert ids[desc_id].tag == f"{SVG}desc"
    assert ids[title_id].text == "Link Up trial — CONSORT 2010 flow diagram"
    description = ids[desc_id].text
    assert description == describe(flow())
    assert description.startswith("Assessed for eligibility: 140. Excluded: 38 (")
    assert "Not meeting inclusion criteria: 21 (Needs above the service's remit: 12;" in description
    assert "Randomised: 102. Arm A: allocated 1000;" in description


def test_nothing_external_and_no_script():
    root = parse(render_svg(flow()))
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    drawn = {"defs", "marker", "path", "rect", "g", "text", "a", "line"}
    assert tags <= {"svg", "title", "desc", *drawn}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on"), name
            if name == "href":
                assert value.startswith("/trials/")
            assert "url(" not in value or re.fullmatch(r"url\(#[\w-]+\)", value), value


def test_the_same_flow_draws_the_same_svg():
    assert render_svg(flow()) == render_svg(flow())


def test_two_diagrams_on_one_page_can_have_their_own_ids():
    root = parse(render_svg(flow(), id_prefix="consort-2"))
    assert root.get("aria-labelledby") == "consort-2-title"
    assert root.get("aria-describedby") == "consort-2-desc"
    markers = {line.get("marker-end") for line in root.iter(f"{SVG}line")} - {None}
    assert markers == {"url(#consort-2-arrow)"}
    with pytest.raises(ValueError):
        render_svg(flow(), id_prefix='x" onload="alert(1)')


# --- The template's boxes -----------------------------------------------------------------------


def test_every_count_appears_in_its_box_with_its_n():
    consort = flow()
    root = parse(render_svg(consort))
    texts = " ".join(box.text for box in boxes(root))
    for count in all_counts(consort):
        assert f"(n={count.n})" in texts

    assert the_box(root, "Assessed for eligibility").text == "Assessed for eligibility (n=140)"
    assert the_box(root, "Randomised").text == "Randomised (n=102)"
    assert the_box(root, "Allocated to Arm A").text == (
        "Allocated to Arm A (n=1000)"
        " ♦ Received allocated intervention (n=1001)"
        " ♦ Did not receive allocated intervention (give reasons) (n=1002)"
        " – Did not engage (n=1003)"
    )
    assert the_box(root, "Lost to follow-up (give reasons) (n=1004)").text == (
        "Lost to follow-up (give reasons) (n=1004) – Could not be contacted (n=1005)"
        " Discontinued intervention (give reasons) (n=1006) – Withdrew (n=1007)"
    )
    assert the_box(root, "Analysed (n=2008)").text == (
        "Analysed (n=2008) ♦ Excluded from analysis (give reasons) (n=2009)"
    )


def test_the_excluded_box_lists_its_reasons_and_their_children_indented():
    root = parse(render_svg(flow()))
    excluded = the_box(root, "Excluded (n=38)")
    assert excluded.text == (
        "Excluded (n=38)"
        " ♦ Not meeting inclusion criteria (n=21)"
        " – Needs above the service's remit (n=12) – Under 18 (n=6)"
        " – Already supported elsewhere (n=4)"
        " ♦ Declined to participate (n=14)"
        " – Did not want research (n=9) – Not to wait (n=5)"
        " ♦ Other reasons (n=3)"
    )
    x = {t.text: float(t.get("x")) for t in excluded.texts}
    assert x["Excluded (n=38)"] < x["Not meeting inclusion criteria (n=21)"] < x["Under 18 (n=6)"]
    assert x["Declined to participate (n=14)"] == x["Not meeting inclusion criteria (n=21)"]

    # To the right of the trunk, between assessed and randomised.
    assessed, randomised = the_box(root, "Assessed"), the_box(root, "Randomised")
    assert excluded.rect.x > assessed.rect.x + assessed.rect.width / 2
    assert assessed.rect.bottom < excluded.rect.y < excluded.rect.bottom < randomised.rect.y


def test_the_four_stages_down_the_left_beside_their_rows():
    root = parse(render_svg(flow()))
    stages = {box.text: box.rect for box in boxes(root, "consort-stage")}
    assert list(stages) == [
        "Enrolment",
        "Allocation",
        "Follow-up (12 weeks after randomisation)",
        "Analysis",
    ]
    content_left = min(box.rect.x for box in boxes(root, "consort-box"))
    assert all(rect.right < content_left for rect in stages.values())
    assert stages["Allocation"].y == the_box(root, "Allocated to Arm A").rect.y
    assert stages["Analysis"].y == the_box(root, "Analysed (n=1").rect.y

    without_label = parse(render_svg(flow(follow_up_label="")))
    assert [b.text for b in boxes(without_label, "consort-stage")][2] == "Follow-up"


def test_arrows_join_the_boxes_as_in_the_template():
    consort = flow()
    root = parse(render_svg(consort))
    rects = [box.rect for box in boxes(root, "consort-box")]
    arrows = [line for line in root.iter(f"{SVG}line") if line.get("marker-end")]
    # assessed → randomised, trunk → excluded, randomised → each arm, and two per arm below.
    assert len(arrows) == 2 + 3 * len(consort.arms)
    for arrow in arrows:
        x1, y1, x2, y2 = (float(arrow.get(k)) for k in ("x1", "y1", "x2", "y2"))
        if x1 == x2:  # down, to the top edge of a box
            assert any(r.y == y2 and r.x < x2 < r.right for r in rects), (x2, y2)
        else:  # across, to the excluded box's left edge
            assert y1 == y2
            excluded = the_box(root, "Excluded").rect
            assert x2 == excluded.x and excluded.y < y2 < excluded.bottom


# --- Links --------------------------------------------------------------------------------------


def test_counts_with_a_url_are_links_and_the_others_are_not():
    consort = flow()
    root = parse(render_svg(consort))
    linked = links(root)
    plain = unlinked_text(root)
    for count in all_counts(consort):
        if count.url:
            assert f"(n={count.n})" in linked[count.url]
            assert f"(n={count.n})" not in plain
        else:
            assert f"(n={count.n})" in plain
            assert not any(f"(n={count.n})" in text for text in linked.values())
    assert linked[url("arm-a-allocated")] == "Allocated to Arm A (n=1000)"
    assert linked[url("under-18")] == "Under 18 (n=6)"
    assert len(linked) == len([c for c in all_counts(consort) if c.url])


def test_links_look_like_govuk_links_and_plain_text_does_not():
    root = parse(render_svg(flow()))
    for a in root.iter(f"{SVG}a"):
        for text in a.iter(f"{SVG}text"):
            assert text.get("fill") == "#1d70b8"
            assert text.get("text-decoration") == "underline"
    unlinked = parse(render_svg(flow(assessed=Count(140))))
    assessed = the_box(unlinked, "Assessed").texts[0]
    assert assessed.get("fill") == "#0b0c0c" and assessed.get("text-decoration") is None


def test_no_links_at_all_without_urls():
    consort = flow(
        assessed=Count(140),
        excluded=Count(38),
        excluded_reasons=[Reason("Other reasons", Count(3))],
        arms=[arm("Arm A", 1000, links=False), arm("Arm B", 2000, links=False)],
    )
    assert list(parse(render_svg(consort)).iter(f"{SVG}a")) == []


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", " javascript:alert(1)", "java\nscript:alert(1)", "data:,x", ""]
)
def test_a_url_that_is_not_a_path_or_http_is_refused(bad):
    with pytest.raises(ValueError):
        Count(1, bad)


def test_an_ampersand_in_a_url_is_escaped():
    svg = render_svg(flow())
    assert 'href="/trials/7/records/?count=assessed&amp;page=1"' in svg


# --- User text -------------------------------------------------------------------------------


def test_malicious_labels_are_escaped_and_read_back_as_written():
    consort = flow(
        title=MALICIOUS,
        excluded_reasons=[Reason(MALICIOUS, Count(3), [Reason(MALICIOUS, Count(2))])],
        arms=[replace(arm("Arm A", 1000), name=MALICIOUS), arm("Arm B", 2000)],
        follow_up_label=MALICIOUS,
    )
    svg = render_svg(consort)
    assert "<script" not in svg
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.removeprefix(SVG).lower() == "script"]

    assert root.find(f"{SVG}title").text == f"{MALICIOUS} — CONSORT 2010 flow diagram"
    assert MALICIOUS in root.find(f"{SVG}desc").text
    assert the_box(root, "Excluded").text == (
        f"Excluded (n=38) ♦ {MALICIOUS} (n=3) – {MALICIOUS} (n=2)"
    )
    assert the_box(root, "Allocated to <script>").text.startswith(
        f"Allocated to {MALICIOUS} (n=1000) ♦"
    )
    # The stage column is narrow: "<script>alert(1)</script>" is broken across rows.
    stage = boxes(root, "consort-stage")[2]
    assert "".join(t.text for t in stage.texts).replace(" ", "") == MALICIOUS.replace(" ", "")
    assert_text_inside_boxes(root)


def test_characters_xml_cannot_hold_are_dropped_and_white_space_collapsed():
    consort = flow(title="Trial\x00 one\x1b", follow_up_label="Twelve\n\n weeks")
    consort.arms[0] = replace(consort.arms[0], name="Arm\tA\x0c")
    root = parse(render_svg(consort))
    assert root.find(f"{SVG}title").text.startswith("Trial one — ")
    assert the_box(root, "Allocated to Arm A (n=1000)")
    assert [b.text for b in boxes(root, "consort-stage")][2] == "Twelve weeks"


# --- Layout ---------------------------------------------------------------------------------


def test_arms_sit_side_by_side_and_no_boxes_overlap():
    root = parse(render_svg(flow()))
    a, b = the_box(root, "Allocated to Arm A"), the_box(root, "Allocated to Arm B")
    assert a.rect.y == b.rect.y
    assert a.rect.right < b.rect.x
    for starting in ("Lost to follow-up (give reasons) (n=", "Analysed (n="):
        assert the_box(root, f"{starting}1").rect.x == a.rect.x  # Arm A's counts are 1000-1009
        assert the_box(root, f"{starting}2").rect.x == b.rect.x
    assert_no_overlaps(root)
    assert_text_inside_boxes(root)


def test_the_rows_of_one_stage_are_the_same_height_and_follow_each_other_down():
    root = parse(render_svg(flow()))
    for arm_name, n in [("Arm A", 1), ("Arm B", 2)]:
        allocated = the_box(root, f"Allocated to {arm_name}").rect
        follow_up = the_box(root, f"Lost to follow-up (give reasons) (n={n}").rect
        analysed = the_box(root, f"Analysed (n={n}").rect
        assert allocated.bottom < follow_up.y < follow_up.bottom < analysed.y
    heights = {b.rect.y: b.rect.height for b in boxes(root, "consort-box")}
    for box in boxes(root, "consort-box"):
        assert box.rect.height == heights[box.rect.y]


def test_three_arms_side_by_side_without_overlap():
    root = parse(render_svg(flow(n_arms=3)))
    allocated = [the_box(root, f"Allocated to Arm {x}").rect for x in "ABC"]
    assert allocated[0].right < allocated[1].x < allocated[1].right < allocated[2].x
    assert len({rect.y for rect in allocated}) == 1
    assert float(root.get("width")) > float(parse(render_svg(flow())).get("width"))
    assert_no_overlaps(root)
    assert_text_inside_boxes(root)


def test_one_arm_is_drawn_too():
    root = parse(render_svg(flow(n_arms=1)))
    assert the_box(root, "Allocated to Arm A")
    assert_no_overlaps(root)
    assert_text_inside_boxes(root)
    with pytest.raises(ValueError):
        render_svg(flow(n_arms=0))


def test_long_labels_wrap_onto_more_lines_and_their_boxes_grow():
    words = "Heb fodloni'r meini prawf cynhwysiant oherwydd anghenion y tu hwnt i'r gwasanaeth"
    long = (words + " ") * 3
    long = long[:200].strip()
    assert len(long) >= 195

    short_root = parse(render_svg(flow()))
    consort = flow(
        title=long,
        excluded_reasons=[Reason(long, Count(3), [Reason(long, Count(2))])],
        arms=[replace(arm("Arm A", 1000), name=long), arm("Arm B", 2000)],
        follow_up_label=long,
    )
    consort.arms[1] = replace(consort.arms[1], lost_reasons=[Reason(long, Count(77))])
    root = parse(render_svg(consort))

    excluded = the_box(root, "Excluded")
    assert len(excluded.texts) > 6  # heading, 2 bullets and at least 3 rows for each label
    assert excluded.text == f"Excluded (n=38) ♦ {long} (n=3) – {long} (n=2)"
    assert excluded.rect.height > the_box(short_root, "Excluded").rect.height
    allocated = the_box(root, "Allocated to Heb")
    assert allocated.text.startswith(f"Allocated to {long} (n=1000) ♦ Received")
    assert allocated.rect.height > the_box(short_root, "Allocated to Arm A").rect.height
    # The stage label wraps too, and its row grows to hold it.
    stage = boxes(root, "consort-stage")[2]
    assert stage.text == long and len(stage.texts) > 8
    follow_up = the_box(root, "Lost to follow-up (give reasons) (n=1")
    assert follow_up.rect.height == stage.rect.height
    assert float(root.get("width")) == float(short_root.get("width"))
    assert_no_overlaps(root)
    assert_text_inside_boxes(root)


def test_a_word_longer_than_a_box_is_broken_to_fit():
    word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 3
    consort = flow(excluded_reasons=[Reason(word, Count(3))])
    root = parse(render_svg(consort))
    excluded = the_box(root, "Excluded")
    rows = [t.text for t in excluded.texts[2:]]
    assert len(rows) > 3
    assert "".join(rows).replace(" ", "") == f"{word}(n=3)"
    assert_text_inside_boxes(root)


@pytest.mark.parametrize("arms", [1, 2, 3])
def test_welsh_does_not_crash_and_still_fits(arms):
    with translation.override("cy"):
        svg = render_svg(flow(n_arms=arms))
        texts = render_text(flow(n_arms=arms))
    root = parse(svg)
    assert root.find(f"{SVG}title").text.startswith("Link Up trial")
    assert len(texts) == 3 + 3 * arms
    assert_no_overlaps(root)
    assert_text_inside_boxes(root)


# --- Wrapping ---------------------------------------------------------------------------------


def test_wrap_keeps_every_word_and_each_row_within_the_width():
    text = "Did not receive allocated intervention (give reasons) (n=1234)"
    for width in (120, 200, 400):
        rows = wrap(text, width)
        assert " ".join(rows) == text
        assert all(text_width(row, FONT_SIZE) <= width for row in rows)
    rows = wrap(text, 50)  # narrower than "intervention": words are broken
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")
    assert all(text_width(row, FONT_SIZE) <= 50 for row in rows)
    assert wrap(text, 10_000) == [text]
    assert wrap("", 100) == [""]


def test_wider_letters_are_measured_wider():
    assert text_width("WWWW") > text_width("wwww") > text_width("iiii")
    assert text_width("ŵŷ") == text_width("wy")
    assert text_width("abc", bold=True) > text_width("abc")


# --- The text alternative ---------------------------------------------------------------------


def test_render_text_has_one_entry_per_box_in_reading_order():
    texts = render_text(flow())
    assert texts[0] == "Enrolment\nAssessed for eligibility (n=140)"
    assert texts[1].splitlines()[:4] == [
        "Enrolment",
        "Excluded (n=38)",
        "  ♦ Not meeting inclusion criteria (n=21)",
        "    – Needs above the service's remit (n=12)",
    ]
    assert texts[2] == "Enrolment\nRandomised (n=102)"
    assert texts[3].splitlines()[:2] == [
        "Allocation — Arm A",
        "Allocated to Arm A (n=1000)",
    ]
    assert texts[5].splitlines()[0] == "Follow-up (12 weeks after randomisation) — Arm A"
    assert texts[8] == (
        "Analysis — Arm B\nAnalysed (n=2008)\n  ♦ Excluded from analysis (give reasons) (n=2009)"
    )
    assert len(texts) == len(outline(flow())) == 9
