"""The instruments, as data, and their scorers."""

from dataclasses import replace
from decimal import Decimal

from django.utils.translation import pgettext_lazy

from linkwork.outcomes.instruments.base import (
    DEFAULT_UCLA_THRESHOLD,
    Band,
    Instrument,
    InstrumentError,
    Score,
    SubScore,
    band_for,
)

# --- SWEMWBS raw-to-metric conversion -----------------------------------------------------------
# The Rasch conversion table published by the University of Warwick with SWEMWBS (Stewart-Brown
# et al. 2009, Health Qual Life Outcomes 7:15; scoring guidance at
# https://warwick.ac.uk/fac/sci/med/research/platform/wemwbs/using/howto, where the table itself
# is in the user guide issued on registration). Warwick's own table was not available to check
# against. The values below agree value for value with public code copies of the table from
# several unrelated projects (R scripts ``Raw_Score = 7:35, Metric_Score = c(7.00, 9.51, ...,
# 32.55, 35.00)``, three copies of them from one project; JavaScript and TypeScript lookups from
# at least three others, one citing Warwick's "swemwbs_raw_score_to_metric_score_conversion_
# table.pdf"). One other project's copy gives 25.99 for raw 29; every other copy gives 26.02,
# which we keep.
SWEMWBS_METRIC = {
    raw: Decimal(metric)
    for raw, metric in zip(
        range(7, 36),
        (
            "7.00", "9.51", "11.25", "12.40", "13.33", "14.08", "14.75", "15.32", "15.84",
            "16.36", "16.88", "17.43", "17.98", "18.59", "19.25", "19.98", "20.73", "21.54",
            "22.35", "23.21", "24.11", "25.03", "26.02", "27.03", "28.13", "29.31", "30.70",
            "32.55", "35.00",
        ),
        strict=True,
    )
}  # fmt: skip

#: Meaningful change for an individual on SWEMWBS, in metric points. Shah et al. (2018),
#: "Responsiveness of the Short Warwick Edinburgh Mental Well-Being Scale (SWEMWBS): evaluation
#: a clinical sample", Health Qual Life Outcomes 16:239 (doi:10.1186/s12955-018-1060-2;
#: 172 clients having up to 4 sessions of cognitive hypnotherapy), abstract: at individual
#: level "a change of between 1 and 3 points" meets thresholds for statistically important
#: change, depending on the standard (1 SEM = 1.03 points; 2.77 SEM = 2.87 points). We take the
#: conservative end, 3 points (2.87 rounded up), for individuals. This is distribution-based,
#: not an anchor-based minimal important change (the authors say anchor-based studies are
#: still needed). Overridable per call (``meaningful_threshold=``).
SWEMWBS_MEANINGFUL_CHANGE = Decimal(3)

WEMWBS_RESPONSES = ("None of the time", "Rarely", "Some of the time", "Often", "All of the time")

# Item wording: Tennant et al. (2007), Health Qual Life Outcomes 5:63, figure 1.
WEMWBS_ITEMS = (
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been feeling interested in other people",
    "I've had energy to spare",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling good about myself",
    "I've been feeling close to other people",
    "I've been feeling confident",
    "I've been able to make up my own mind about things",
    "I've been feeling loved",
    "I've been interested in new things",
    "I've been feeling cheerful",
)
# SWEMWBS is WEMWBS items 1, 2, 3, 6, 7, 9 and 11 (Stewart-Brown et al. 2009).
SWEMWBS_ITEMS = tuple(WEMWBS_ITEMS[i - 1] for i in (1, 2, 3, 6, 7, 9, 11))

WEMWBS_LICENCE = (
    "Warwick Edinburgh Mental Well-Being Scale (WEMWBS) © University of Warwick 2006, "
    "all rights reserved."
)
SWEMWBS_LICENCE = (
    "Short Warwick Edinburgh Mental Well-Being Scale (SWEMWBS) © University of Warwick, 2008, "
    "all rights reserved."
)

# PHQ-9 and GAD-7: Kroenke, Spitzer & Williams (2001); Spitzer et al. (2006). Developed by
# Drs Spitzer, Williams, Kroenke and colleagues with an educational grant from Pfizer Inc.;
# no permission required to reproduce, translate, display or distribute.
PHQ_GAD_RESPONSES = ("Not at all", "Several days", "More than half the days", "Nearly every day")
PHQ_GAD_LICENCE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)

# ONS personal well-being (ONS4): Office for National Statistics, "Personal well-being user
# guidance". Thresholds (ONS4_*_BANDS) confirmed against ONS's published grouping: life
# satisfaction, worthwhile and happiness 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; anxiety
# 0-1 very low, 2-3 low, 4-5 medium, 6-10 high.
ONS4_ITEMS = (
    "Overall, how satisfied are you with your life nowadays?",
    "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    "Overall, how happy did you feel yesterday?",
    "Overall, how anxious did you feel yesterday?",
)
ONS4_CODES = ("life_satisfaction", "worthwhile", "happy", "anxious")

# UCLA 3-item loneliness scale: Hughes et al. (2004), Research on Aging 26(6):655-672, as
# worded in the ONS "Measuring loneliness: guidance for use of the national indicators" (2018).
UCLA3_ITEMS = (
    "How often do you feel that you lack companionship?",
    "How often do you feel left out?",
    "How often do you feel isolated from others?",
)
UCLA3_RESPONSES = ("Hardly ever or never", "Some of the time", "Often")

# ONS direct loneliness question, same ONS guidance (2018). Coded here 1 (never) to 5 (often).
ONS_LONELINESS_ITEMS = ("How often do you feel lonely?",)
ONS_LONELINESS_RESPONSES = (
    "Never",
    "Hardly ever",
    "Occasionally",
    "Some of the time",
    "Often/always",
)


# PHQ-9 bands: Kroenke, Spitzer & Williams (2001), abstract: scores of 5, 10, 15 and 20 represent
# mild, moderate, moderately severe and severe depression. GAD-7 bands: Spitzer et al. (2006),
# cut points 5, 10 and 15 for mild, moderate and severe anxiety (confirmed from secondary
# sources quoting the paper).

# The published instructions shown above the items (English, like the items themselves).
WEMWBS_INSTRUCTIONS = (
    "Below are some statements about feelings and thoughts. Please tick the box that best "
    "describes your experience of each over the last 2 weeks."
)
PHQ9_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
GAD7_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by the following problems?"
)
# ONS and UCLA wording as published for interviews (ONS 2018 guidance; Hughes et al. 2004).
ONS4_INSTRUCTIONS = (
    "Next I would like to ask you four questions about your feelings on aspects of your life. "
    "There are no right or wrong answers. For each of these questions I'd like you to give an "
    "answer on a scale of 0 to 10, where 0 is 'not at all' and 10 is 'completely'."
)
UCLA3_INSTRUCTIONS = (
    "The next questions are about how you feel about different aspects of your life. For each "
    "one, tell me how often you feel that way."
)


def _band(low, high, code, label):
    return Band(low, high, code, label)


PHQ9_BANDS = (
    _band(0, 4, "none_minimal", pgettext_lazy("outcome band", "None–minimal")),
    _band(5, 9, "mild", pgettext_lazy("outcome band", "Mild")),
    _band(10, 14, "moderate", pgettext_lazy("outcome band", "Moderate")),
    _band(15, 19, "moderately_severe", pgettext_lazy("outcome band", "Moderately severe")),
    _band(20, 27, "severe", pgettext_lazy("outcome band", "Severe")),
)
GAD7_BANDS = (
    _band(0, 4, "minimal", pgettext_lazy("outcome band", "Minimal")),
    _band(5, 9, "mild", pgettext_lazy("outcome band", "Mild")),
    _band(10, 14, "moderate", pgettext_lazy("outcome band", "Moderate")),
    _band(15, 21, "severe", pgettext_lazy("outcome band", "Severe")),
)
ONS4_POSITIVE_BANDS = (
    _band(0, 4, "low", pgettext_lazy("outcome band", "Low")),
    _band(5, 6, "medium", pgettext_lazy("outcome band", "Medium")),
    _band(7, 8, "high", pgettext_lazy("outcome band", "High")),
    _band(9, 10, "very_high", pgettext_lazy("outcome band", "Very high")),
)
ONS4_ANXIETY_BANDS = (
    _band(0, 1, "very_low", pgettext_lazy("outcome band", "Very low")),
    _band(2, 3, "low", pgettext_lazy("outcome band", "Low")),
    _band(4, 5, "medium", pgettext_lazy("outcome band", "Medium")),
    _band(6, 10, "high", pgettext_lazy("outcome band", "High")),
)
ONS_LONELINESS_BANDS = (
    _band(1, 1, "never", pgettext_lazy("loneliness answer", "Never")),
    _band(2, 2, "hardly_ever", pgettext_lazy("loneliness answer", "Hardly ever")),
    _band(3, 3, "occasionally", pgettext_lazy("loneliness answer", "Occasionally")),
    _band(4, 4, "some_of_the_time", pgettext_lazy("loneliness answer", "Some of the time")),
    _band(5, 5, "often_always", pgettext_lazy("loneliness answer", "Often or always")),
)


def _no_options(instrument, options):
    if options:
        names = ", ".join(sorted(options))
        raise InstrumentError(f"{instrument.name} takes no scoring options (got {names}).")


def _score_summed(instrument, answers, **options) -> Score:
    _no_options(instrument, options)
    raw = sum(answers)
    band = band_for(instrument.bands, raw) if instrument.bands else None
    return Score(
        instrument=instrument.code,
        total=raw,
        raw=raw,
        band=band.code if band else None,
        band_label=band.label if band else None,
        answers=answers,
    )


def _score_swemwbs(instrument, answers, **options) -> Score:
    _no_options(instrument, options)
    raw = sum(answers)
    return Score(instrument=instrument.code, total=SWEMWBS_METRIC[raw], raw=raw, answers=answers)


def _score_phq9(instrument, answers, **options) -> Score:
    result = _score_summed(instrument, answers, **options)
    # Item 9 (thoughts of being better off dead or of self-harm): any answer other than
    # "not at all" is flagged, whatever the total.
    return replace(result, flags={"phq9_item9": answers[8] > 0})


def _score_ucla3(instrument, answers, *, threshold=None, **options) -> Score:
    _no_options(instrument, options)
    if threshold is None:
        threshold = DEFAULT_UCLA_THRESHOLD
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 3 <= threshold <= 9:
        raise InstrumentError(
            f"{instrument.name}: threshold must be a whole number from 3 to 9, not {threshold!r}."
        )
    raw = sum(answers)
    return Score(
        instrument=instrument.code,
        total=raw,
        raw=raw,
        flags={"lonely": raw >= threshold},
        answers=answers,
    )


def _score_ons4(instrument, answers, **options) -> Score:
    _no_options(instrument, options)
    subscores = {}
    for code, answer in zip(ONS4_CODES, answers, strict=True):
        bands = ONS4_ANXIETY_BANDS if code == "anxious" else ONS4_POSITIVE_BANDS
        band = band_for(bands, answer)
        subscores[code] = SubScore(code=code, value=answer, band=band.code, band_label=band.label)
    return Score(
        instrument=instrument.code, total=None, raw=None, subscores=subscores, answers=answers
    )


def _score_single(instrument, answers, **options) -> Score:
    _no_options(instrument, options)
    (answer,) = answers
    band = band_for(instrument.bands, answer)
    return Score(
        instrument=instrument.code,
        total=answer,
        raw=answer,
        band=band.code,
        band_label=band.label,
        answers=answers,
    )


_INSTRUMENTS = (
    Instrument(
        code="swemwbs",
        short_name="SWEMWBS",
        name="Short Warwick-Edinburgh Mental Well-being Scale (SWEMWBS)",
        items=SWEMWBS_ITEMS,
        min_value=1,
        max_value=5,
        response_options=WEMWBS_RESPONSES,
        scorer=_score_swemwbs,
        instructions=WEMWBS_INSTRUCTIONS,
        requires_registration=True,
        licence_note=SWEMWBS_LICENCE,
        source="Stewart-Brown et al. (2009), Health Qual Life Outcomes 7:15",
        # alpha 0.84: UNVERIFIED. It was attributed to Ng Fat et al. (2017), "Evaluating and
        # establishing national norms for mental wellbeing using the short Warwick-Edinburgh
        # Mental Well-being Scale (SWEMWBS)", Qual Life Res 26(5):1129-1144
        # (doi:10.1007/s11136-016-1454-8), Health Survey for England 2010-2013 (not 2010-11),
        # n = 27,169 adults aged 16+; the abstract reports means (men 23.7, women 23.2) but no
        # alpha or SD, and the full text could not be checked. A typical value for a 7-item
        # scale; services should set their own.
        # SD 3.9: matches the baseline SD (3.921, mean 19.28) of the clinical sample in Shah et
        # al. (2018), Health Qual Life Outcomes 16:239 (n = 172). The population (HSE) SD is
        # not confirmed. Configurable.
        reliability=0.84,
        sd=3.9,
        reliability_source=(
            "alpha: unverified typical value (attributed to Ng Fat et al. (2017), Qual Life Res "
            "26:1129-1144, HSE 2010-2013, n=27,169; not confirmed); SD: Shah et al. (2018), "
            "Health Qual Life Outcomes 16:239, clinical sample baseline SD 3.921 (n=172)"
        ),
        meaningful_change=SWEMWBS_MEANINGFUL_CHANGE,
    ),
    Instrument(
        code="wemwbs",
        short_name="WEMWBS",
        name="Warwick-Edinburgh Mental Well-being Scale (WEMWBS)",
        items=WEMWBS_ITEMS,
        min_value=1,
        max_value=5,
        response_options=WEMWBS_RESPONSES,
        scorer=_score_summed,
        instructions=WEMWBS_INSTRUCTIONS,
        requires_registration=True,
        licence_note=WEMWBS_LICENCE,
        source="Tennant et al. (2007), Health Qual Life Outcomes 5:63",
        # alpha 0.91: Tennant et al. (2007), "The Warwick-Edinburgh Mental Well-being Scale
        # (WEMWBS): development and UK validation", Health Qual Life Outcomes 5:63
        # (doi:10.1186/1477-7525-5-63), abstract: Cronbach's alpha 0.89 (student sample) and
        # 0.91 (population sample; n = 1,749 in its table 3). SD 8.79 (with mean 50.7) is
        # recalled from the same paper but was not confirmed in the text available (table 3
        # gives medians only): unverified. Configurable.
        reliability=0.91,
        sd=8.79,
        reliability_source=(
            "alpha: Tennant et al. (2007), Health Qual Life Outcomes 5:63, UK population sample "
            "(n=1,749); SD: unverified (attributed to the same paper, not confirmed)"
        ),
    ),
    Instrument(
        code="ons4",
        short_name="ONS4",
        name="ONS personal well-being (ONS4)",
        items=ONS4_ITEMS,
        min_value=0,
        max_value=10,
        response_options=("0 (not at all)", "10 (completely)"),
        scorer=_score_ons4,
        instructions=ONS4_INSTRUCTIONS,
        source="Office for National Statistics, Personal well-being user guidance",
    ),
    Instrument(
        code="phq9",
        short_name="PHQ-9",
        name="Patient Health Questionnaire (PHQ-9)",
        items=PHQ9_ITEMS,
        min_value=0,
        max_value=3,
        response_options=PHQ_GAD_RESPONSES,
        scorer=_score_phq9,
        instructions=PHQ9_INSTRUCTIONS,
        higher_is_better=False,
        bands=PHQ9_BANDS,
        licence_note=PHQ_GAD_LICENCE,
        source="Kroenke, Spitzer & Williams (2001), J Gen Intern Med 16:606-613",
        # alpha 0.89: Kroenke, Spitzer & Williams (2001), "The PHQ-9: validity of a brief
        # depression severity measure", J Gen Intern Med 16(9):606-613 (6,000 patients in 8
        # primary-care and 7 obstetrics-gynaecology clinics); the value is confirmed by
        # secondary sources citing the paper, not from its full text. SD 6.0 is an
        # unverified typical primary-care baseline SD, not a published norm: services should
        # set the SD of their own population. Configurable.
        reliability=0.89,
        sd=6.0,
        reliability_source=(
            "alpha: Kroenke, Spitzer & Williams (2001), J Gen Intern Med 16:606-613 (6,000 "
            "primary-care and ob-gyn patients); SD: unverified typical value, not a published norm"
        ),
    ),
    Instrument(
        code="gad7",
        short_name="GAD-7",
        name="Generalised Anxiety Disorder Assessment (GAD-7)",
        items=GAD7_ITEMS,
        min_value=0,
        max_value=3,
        response_options=PHQ_GAD_RESPONSES,
        scorer=_score_summed,
        instructions=GAD7_INSTRUCTIONS,
        higher_is_better=False,
        bands=GAD7_BANDS,
        licence_note=PHQ_GAD_LICENCE,
        source="Spitzer et al. (2006), Arch Intern Med 166:1092-1097",
        # alpha 0.92: Spitzer, Kroenke, Williams & Lowe (2006), "A brief measure for assessing
        # generalized anxiety disorder: the GAD-7", Arch Intern Med 166(10):1092-1097, 2,740
        # adult patients in 15 US primary-care clinics; confirmed by secondary sources citing
        # the paper (alpha .92), not from its full text. SD 5.0 is an unverified typical
        # primary-care baseline SD, not a published norm: services should set the SD of their
        # own population. Configurable.
        reliability=0.92,
        sd=5.0,
        reliability_source=(
            "alpha: Spitzer et al. (2006), Arch Intern Med 166:1092-1097, US primary care "
            "(n=2,740); SD: unverified typical value, not a published norm"
        ),
    ),
    Instrument(
        code="ucla3",
        short_name="UCLA-3",
        name="UCLA 3-item Loneliness Scale",
        items=UCLA3_ITEMS,
        min_value=1,
        max_value=3,
        response_options=UCLA3_RESPONSES,
        scorer=_score_ucla3,
        instructions=UCLA3_INSTRUCTIONS,
        higher_is_better=False,
        source="Hughes et al. (2004), Research on Aging 26:655-672",
        # alpha 0.72 is attributed to Hughes, Waite, Hawkley & Cacioppo (2004), "A short scale
        # for measuring loneliness in large surveys", Research on Aging 26(6):655-672 (two US
        # population-based studies, one the 2002 Health and Retirement Study), but no public
        # text available confirmed it: unverified.
        # SD 1.8 is an unverified approximate value, not a published norm. Configurable.
        reliability=0.72,
        sd=1.8,
        reliability_source=(
            "alpha: unverified (attributed to Hughes et al. (2004), Res Aging 26:655-672, not "
            "confirmed); SD: unverified approximate value, not a published norm"
        ),
    ),
    Instrument(
        code="ons_loneliness",
        short_name="ONS loneliness",
        name="ONS direct loneliness question",
        items=ONS_LONELINESS_ITEMS,
        min_value=1,
        max_value=5,
        response_options=ONS_LONELINESS_RESPONSES,
        scorer=_score_single,
        higher_is_better=False,
        bands=ONS_LONELINESS_BANDS,
        source="Office for National Statistics (2018), Measuring loneliness: guidance for use "
        "of the national indicators on surveys",
    ),
)

_REGISTRY = {instrument.code: instrument for instrument in _INSTRUMENTS}


def get_instrument(code: str) -> Instrument:
    """The instrument with this code (e.g. "swemwbs"); InstrumentError if there is none."""
    try:
        return _REGISTRY[code]
    except (KeyError, TypeError):
        known = ", ".join(_REGISTRY)
        raise InstrumentError(f"No instrument {code!r}; known instruments: {known}.") from None


def all_instruments() -> tuple[Instrument, ...]:
    """Every instrument, in a stable order."""
    return _INSTRUMENTS
