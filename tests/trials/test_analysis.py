"""The primary analysis (ANCOVA) and the per-arm summaries, checked against a published example,
against data built so the answer is known exactly, and by properties that must hold for any
data. None of these needs the database."""

import csv
import math
import random
import statistics
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from linkwork.trials.analysis import RESERVED_KEYS, AnalysisError, ancova, summarise

ANOREXIA = Path(__file__).parent / "data" / "anorexia.csv"


def anorexia_rows():
    with ANOREXIA.open(newline="") as f:
        return [
            {"Treat": row["Treat"], "Prewt": float(row["Prewt"]), "Postwt": float(row["Postwt"])}
            for row in csv.DictReader(f)
        ]


# --- 1. A published example -----------------------------------------------------------------------


def test_the_anorexia_data_are_intact():
    """The copy in tests/trials/data is the 72 rows of MASS::anorexia (see its README.md)."""
    with ANOREXIA.open(newline="") as f:
        raw = list(csv.DictReader(f))
    assert len(raw) == 72
    assert [row["Treat"] for row in raw].count("CBT") == 29
    assert [row["Treat"] for row in raw].count("Cont") == 26
    assert [row["Treat"] for row in raw].count("FT") == 17
    # Sums of the printed values, exactly: a changed, lost or duplicated value fails.
    assert sum(Decimal(row["Prewt"]) for row in raw) == Decimal("5933.4")
    assert sum(Decimal(row["Postwt"]) for row in raw) == Decimal("6132.4")
    cbt_prewt = [float(row["Prewt"]) for row in raw if row["Treat"] == "CBT"]
    assert statistics.fmean(cbt_prewt) == pytest.approx(82.69, abs=0.005)


def test_ancova_reproduces_the_published_anorexia_analysis():
    """Venables and Ripley's ANCOVA of the anorexia trial, with CBT as the reference arm.

    Data: Hand, D. J., Daly, F., Lunn, A. D., McConway, K. J. and Ostrowski, E. (1994) A Handbook
    of Small Data Sets, Chapman & Hall, data set 285; distributed as MASS::anorexia (72 rows).

    Model: Venables, W. N. and Ripley, B. D. (2002) Modern Applied Statistics with S, 4th ed.,
    Springer, p. 189: glm(Postwt ~ Prewt + Treat + offset(Prewt), family = gaussian,
    data = anorexia). R's own documentation runs it as "an example with offsets from Venables &
    Ripley (2002, p.189)" (the examples of ?glm in R's stats package). The offset only shifts the
    Prewt coefficient by 1, so the treatment coefficients are those of Postwt ~ Prewt + Treat,
    the ANCOVA fitted here. Treat's levels sort CBT, Cont, FT, so CBT is R's reference level.

    Figures: R's summary of that fit, to four decimals, as printed in the README.md of the GitHub
    repository m-mburu/mTools (commit 7a7efa5aa366655337e08fb3a0846a9d694e6e7f):
        TreatCont  estimate -4.0971  std. error 1.8935  p 0.0340
        TreatFT    estimate  4.5631  std. error 2.1333  p 0.0360
    on 68 residual degrees of freedom (72 rows, 4 parameters).

    The 95% interval is checked against estimate ± t(0.975, 68) × SE with scipy's t quantile,
    independently of statsmodels' own interval code.
    """
    result = ancova(
        anorexia_rows(), outcome="Postwt", baseline="Prewt", arm="Treat", reference="CBT"
    )

    assert set(result) == {"Cont", "FT"} | RESERVED_KEYS
    assert result["Cont"]["estimate"] == pytest.approx(-4.0971, abs=0.5e-4)
    assert result["Cont"]["std_error"] == pytest.approx(1.8935, abs=0.5e-4)
    assert result["Cont"]["p_value"] == pytest.approx(0.0340, abs=0.5e-4)
    assert result["FT"]["estimate"] == pytest.approx(4.5631, abs=0.5e-4)
    assert result["FT"]["std_error"] == pytest.approx(2.1333, abs=0.5e-4)
    assert result["FT"]["p_value"] == pytest.approx(0.0360, abs=0.5e-4)

    assert result["df_resid"] == 68
    t = stats.t.ppf(0.975, 68)
    for name in ("Cont", "FT"):
        arm = result[name]
        assert arm["ci_low"] == pytest.approx(arm["estimate"] - t * arm["std_error"], abs=1e-9)
        assert arm["ci_high"] == pytest.approx(arm["estimate"] + t * arm["std_error"], abs=1e-9)

    assert result["Cont"]["n"] == 26
    assert result["FT"]["n"] == 17
    assert result["n_reference"] == 29
    assert result["n_dropped"] == 0
    assert result["covariates_dropped"] == []


# --- 2. An answer known exactly -------------------------------------------------------------------

SITE_EFFECT = {"Llandudno": 0.0, "Rhyl": -2.0, "Wrexham": 1.5}


# One age for each pair of participants below, in no pattern.
AGES = [34, 61, 45, 29, 52, 38, 67, 41, 23, 58, 49, 36]


def exact_rows():
    """Outcome = baseline + 3 in arm "Link worker" + a site effect + a perturbation ±0.5.

    In each (arm, site) cell there are two pairs of participants; each pair shares a baseline
    score and an age, and its perturbations are +0.5 and -0.5. The perturbations then sum to zero
    in every cell and against every baseline score and age, so they are orthogonal to every
    column of the design and least squares recovers the effects exactly: the arm effect is 3.
    The residuals are not zero, so the standard error is a real one.
    """
    rows = []
    ages = iter(AGES)
    for arm, shift in (("Usual care", 0.0), ("Link worker", 3.0)):
        for site_number, (site, site_effect) in enumerate(SITE_EFFECT.items()):
            for score in (18, 24):
                baseline = score + site_number + (2 if arm == "Link worker" else 0)
                age = next(ages)
                for perturbation in (0.5, -0.5):
                    rows.append(
                        {
                            "allocated arm": arm,
                            "swemwbs_baseline": baseline,
                            "swemwbs_week_12": baseline + shift + site_effect + perturbation,
                            "site.name": site,
                            "age at referral": age,
                            "region": "Wales",
                        }
                    )
    return rows


EXACT = {
    "outcome": "swemwbs_week_12",
    "baseline": "swemwbs_baseline",
    "arm": "allocated arm",
    "reference": "Usual care",
}


def test_ancova_recovers_a_known_arm_effect_with_a_categorical_site():
    result = ancova(exact_rows(), covariates=["site.name"], **EXACT)

    assert set(result) == {"Link worker"} | RESERVED_KEYS
    link = result["Link worker"]
    assert link["estimate"] == pytest.approx(3.0, abs=1e-10)
    assert link["std_error"] > 0
    assert link["ci_low"] < 3.0 < link["ci_high"]
    assert link["n"] == 12
    assert result["n_reference"] == 12
    assert result["n_dropped"] == 0
    # 24 rows; intercept, arm, baseline and two site contrasts.
    assert result["df_resid"] == 24 - 5


def test_a_numeric_covariate_is_adjusted_for():
    result = ancova(exact_rows(), covariates=["site.name", "age at referral"], **EXACT)
    assert result["Link worker"]["estimate"] == pytest.approx(3.0, abs=1e-10)
    assert result["df_resid"] == 24 - 6


def test_without_the_site_the_estimate_changes():
    """The site matters in these data (its effects differ, and baseline scores rise from site to
    site), so leaving it out gives a different answer: the covariate is really used."""
    with_site = ancova(exact_rows(), covariates=["site.name"], **EXACT)
    without = ancova(exact_rows(), **EXACT)
    assert without["df_resid"] == with_site["df_resid"] + 2
    assert without["Link worker"]["estimate"] != pytest.approx(3.0, abs=1e-3)


def test_a_covariate_with_one_level_is_left_out_and_reported():
    result = ancova(exact_rows(), covariates=["region", "site.name"], **EXACT)
    expected = ancova(exact_rows(), covariates=["site.name"], **EXACT)
    assert result["covariates_dropped"] == ["region"]
    assert result["Link worker"] == expected["Link worker"]
    assert result["df_resid"] == expected["df_resid"]


def test_three_arms_each_compared_with_the_reference():
    rows = exact_rows()
    for row in rows[:]:
        if row["allocated arm"] == "Link worker":
            rows.append(
                dict(
                    row,
                    **{
                        "allocated arm": "Link worker + group",
                        "swemwbs_week_12": row["swemwbs_week_12"] + 2,
                    },
                )
            )
    result = ancova(rows, covariates=["site.name"], **EXACT)
    assert set(result) == {"Link worker", "Link worker + group"} | RESERVED_KEYS
    assert result["Link worker"]["estimate"] == pytest.approx(3.0, abs=1e-10)
    assert result["Link worker + group"]["estimate"] == pytest.approx(5.0, abs=1e-10)
    assert result["Link worker + group"]["n"] == 12


# --- 3. Missing data -----------------------------------------------------------------------------


def test_rows_missing_the_outcome_baseline_or_a_covariate_are_dropped_and_counted():
    clean = ancova(exact_rows(), covariates=["site.name"], **EXACT)
    template = exact_rows()[0] | {"allocated arm": "Link worker"}
    incomplete = [
        template | {"swemwbs_week_12": None},
        template | {"swemwbs_week_12": float("nan")},
        template | {"swemwbs_week_12": np.nan},
        {key: value for key, value in template.items() if key != "swemwbs_week_12"},
        template | {"swemwbs_baseline": None},
        template | {"swemwbs_baseline": float("nan")},
        {key: value for key, value in template.items() if key != "swemwbs_baseline"},
        template | {"site.name": None},
        {key: value for key, value in template.items() if key != "site.name"},
    ]
    rows = exact_rows()
    for position, row in enumerate(incomplete):
        rows.insert(position * 3, row)

    result = ancova(rows, covariates=["site.name"], **EXACT)

    assert result["n_dropped"] == len(incomplete) == 9
    assert result["Link worker"] == clean["Link worker"]
    assert result["Link worker"]["n"] == 12
    assert result["n_reference"] == 12


def test_a_missing_covariate_counts_only_when_the_covariate_is_in_the_model():
    rows = exact_rows()
    rows[0] = rows[0] | {"site.name": None}
    assert ancova(rows, **EXACT)["n_dropped"] == 0
    assert ancova(rows, covariates=["site.name"], **EXACT)["n_dropped"] == 1


# --- 4. Errors -----------------------------------------------------------------------------------


def test_one_arm_only_is_refused():
    rows = [row for row in exact_rows() if row["allocated arm"] == "Usual care"]
    with pytest.raises(AnalysisError, match="at least two arms"):
        ancova(rows, **EXACT)


def test_no_rows_at_all_is_refused():
    with pytest.raises(AnalysisError, match="at least two arms"):
        ancova([], **EXACT)


def test_an_arm_with_no_analysable_rows_is_refused():
    rows = exact_rows()
    for row in rows:
        if row["allocated arm"] == "Link worker":
            row["swemwbs_week_12"] = None
    with pytest.raises(AnalysisError, match="Link worker.*no participant who can be analysed"):
        ancova(rows, **EXACT)


def test_a_reference_not_among_the_arms_is_refused():
    with pytest.raises(AnalysisError, match="reference arm “Waiting list” is not among"):
        ancova(exact_rows(), **(EXACT | {"reference": "Waiting list"}))


def test_too_few_rows_to_fit_the_model_are_refused():
    rows = [
        {"arm": "A", "baseline": 20, "outcome": 21.0},
        {"arm": "A", "baseline": 25, "outcome": 24.0},
        {"arm": "B", "baseline": 22, "outcome": 27.0},
    ]
    with pytest.raises(AnalysisError, match="Too few participants.*at least 4 rows"):
        ancova(rows, outcome="outcome", baseline="baseline", arm="arm", reference="A")
    # One more row gives one residual degree of freedom, which is enough.
    rows.append({"arm": "B", "baseline": 30, "outcome": 31.5})
    result = ancova(rows, outcome="outcome", baseline="baseline", arm="arm", reference="A")
    assert result["df_resid"] == 1


def test_an_exact_fit_is_refused():
    """No residual variation: standard errors would be rounding error."""
    rows = [
        {"arm": arm, "baseline": baseline, "outcome": baseline + (3.0 if arm == "B" else 0.0)}
        for arm in ("A", "B")
        for baseline in (20, 24, 31)
    ]
    with pytest.raises(AnalysisError, match="fits every analysable outcome exactly"):
        ancova(rows, outcome="outcome", baseline="baseline", arm="arm", reference="A")


def test_a_stratum_confounded_with_arm_is_refused():
    rows = exact_rows()
    for row in rows:
        row["pod"] = "east" if row["allocated arm"] == "Link worker" else "west"
    with pytest.raises(AnalysisError, match="collinear"):
        ancova(rows, covariates=["pod"], **EXACT)


def test_a_row_without_an_arm_is_refused():
    rows = exact_rows()
    rows[5]["allocated arm"] = None
    with pytest.raises(AnalysisError, match="Row 6 has no arm"):
        ancova(rows, **EXACT)


def test_a_score_that_is_not_a_number_is_refused():
    rows = exact_rows()
    rows[0]["swemwbs_week_12"] = "23"
    with pytest.raises(AnalysisError, match="must hold numbers"):
        ancova(rows, **EXACT)


def test_a_covariate_mixing_text_and_numbers_is_refused():
    rows = exact_rows()
    rows[0]["site.name"] = 3
    with pytest.raises(AnalysisError, match="mixes text and numbers"):
        ancova(rows, covariates=["site.name"], **EXACT)


def test_an_arm_named_like_a_total_is_refused():
    rows = exact_rows()
    for row in rows:
        if row["allocated arm"] == "Link worker":
            row["allocated arm"] = "n_dropped"
    with pytest.raises(AnalysisError, match="may not be called"):
        ancova(rows, **EXACT)


def test_a_column_in_two_parts_of_the_model_is_refused():
    with pytest.raises(AnalysisError, match="only one part"):
        ancova(exact_rows(), covariates=["swemwbs_baseline"], **EXACT)


# --- 5. Summaries --------------------------------------------------------------------------------


def test_summarise_matches_numpy_on_the_anorexia_data():
    rows = anorexia_rows()
    summaries = summarise(rows, arm="Treat", measures=["Prewt", "Postwt"])

    # By measure as given, then by arm as the arms first appear in the rows.
    assert [(s["measure"], s["arm"]) for s in summaries] == [
        ("Prewt", "Cont"),
        ("Prewt", "CBT"),
        ("Prewt", "FT"),
        ("Postwt", "Cont"),
        ("Postwt", "CBT"),
        ("Postwt", "FT"),
    ]
    for summary in summaries:
        values = np.array(
            [row[summary["measure"]] for row in rows if row["Treat"] == summary["arm"]]
        )
        assert summary["n"] == len(values)
        assert summary["missing"] == 0
        assert summary["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert summary["sd"] == pytest.approx(values.std(ddof=1), rel=1e-12)

    cbt_prewt = summaries[1]
    assert cbt_prewt["n"] == 29
    assert cbt_prewt["mean"] == pytest.approx(82.690, abs=0.0005)
    assert cbt_prewt["sd"] == pytest.approx(4.845, abs=0.0005)


def test_summarise_counts_missing_values_and_leaves_undefined_statistics_empty():
    rows = [
        {"arm": "A", "week_12": 20.0, "week_26": None},
        {"arm": "A", "week_12": 24.0},
        {"arm": "A", "week_12": float("nan"), "week_26": 30},
        {"arm": "B", "week_12": None, "week_26": None},
    ]
    summaries = summarise(rows, arm="arm", measures=["week_12", "week_26"])
    by_key = {(s["measure"], s["arm"]): s for s in summaries}

    assert by_key["week_12", "A"] == {
        "measure": "week_12",
        "arm": "A",
        "n": 2,
        "missing": 1,
        "mean": 22.0,
        "sd": pytest.approx(statistics.stdev([20.0, 24.0])),
    }
    assert by_key["week_26", "A"]["n"] == 1
    assert by_key["week_26", "A"]["missing"] == 2
    assert by_key["week_26", "A"]["mean"] == 30.0
    assert by_key["week_26", "A"]["sd"] is None
    for measure in ("week_12", "week_26"):
        assert by_key[measure, "B"]["n"] == 0
        assert by_key[measure, "B"]["missing"] == 1
        assert by_key[measure, "B"]["mean"] is None
        assert by_key[measure, "B"]["sd"] is None


# --- 6. Properties -------------------------------------------------------------------------------

ROW = st.fixed_dictionaries(
    {
        "baseline": st.integers(7, 35),
        "outcome": st.one_of(st.none(), st.integers(700, 3500).map(lambda v: v / 100)),
        "site": st.sampled_from(["north", "south", "west"]),
    }
)


@st.composite
def trials(draw):
    """Rows in three arms (at least three rows each), some outcomes missing."""
    rows = []
    for arm in ("control", "link", "link+"):
        rows += [row | {"arm": arm} for row in draw(st.lists(ROW, min_size=3, max_size=12))]
    return rows


MODEL = {"outcome": "outcome", "baseline": "baseline", "arm": "arm", "reference": "control"}


def same_result(a, b, tolerance):
    assert a.keys() == b.keys()
    for key, value in a.items():
        if key in RESERVED_KEYS:
            assert value == b[key]
            continue
        assert value["n"] == b[key]["n"]
        for statistic in ("estimate", "std_error", "ci_low", "ci_high", "p_value"):
            assert math.isclose(
                value[statistic], b[key][statistic], rel_tol=1e-9, abs_tol=tolerance
            )


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(trials(), st.floats(-1000, 1000, allow_nan=False), st.randoms(use_true_random=False))
def test_shifting_every_outcome_or_shuffling_the_rows_changes_no_arm_estimate(rows, c, rng):
    shifted = [
        row | {"outcome": None if row["outcome"] is None else row["outcome"] + c} for row in rows
    ]
    shuffled = rows[:]
    rng.shuffle(shuffled)
    for covariates in ((), ("site",)):
        try:
            original = ancova(rows, covariates=covariates, **MODEL)
        except AnalysisError:
            # Whatever made these data unanalysable (too few outcomes, a site confounded with
            # an arm) does so after a shift or a shuffle too.
            with pytest.raises(AnalysisError):
                ancova(shifted, covariates=covariates, **MODEL)
            with pytest.raises(AnalysisError):
                ancova(shuffled, covariates=covariates, **MODEL)
            continue
        # A constant added to every outcome moves only the intercept.
        same_result(original, ancova(shifted, covariates=covariates, **MODEL), 1e-6)
        # The order of the rows is no part of the model.
        same_result(original, ancova(shuffled, covariates=covariates, **MODEL), 1e-9)


def test_the_property_test_exercises_fitted_models():
    """A guard on the property test above: its generated data are mostly analysable, so it
    compares fitted estimates rather than only errors."""
    rng = random.Random(12)
    fitted = 0
    for _ in range(20):
        rows = [
            {
                "arm": arm,
                "baseline": rng.randint(7, 35),
                "outcome": rng.choice([None, rng.randint(700, 3500) / 100]),
                "site": rng.choice(["north", "south", "west"]),
            }
            for arm in ("control", "link", "link+")
            for _ in range(rng.randint(3, 12))
        ]
        try:
            ancova(rows, covariates=["site"], **MODEL)
        except AnalysisError:
            continue
        fitted += 1
    assert fitted >= 10
