"""The trial's primary analysis (ANCOVA) and its per-arm descriptive statistics.

Plain functions on a list of dicts, one dict per randomised participant, so that a trial
statistician can check them by hand or against another package. Nothing here touches the
database or imports a model.

The primary analysis (`ancova`)
-------------------------------
An analysis of covariance, fitted by ordinary least squares (statsmodels OLS, the design matrix
built by patsy from a formula, never by hand):

    outcome ~ arm + baseline + covariate_1 + covariate_2 + ...

- ``outcome`` is the follow-up score, ``baseline`` the same measure before randomisation.
- ``arm`` is the randomised arm, treatment coded against ``reference``: each other arm gets one
  coefficient, the difference in mean follow-up score between that arm and the reference arm for
  participants with the same baseline score and covariates. A positive estimate means a higher
  follow-up score than in the reference arm.
- Covariates are the stratification factors (and any other pre-specified baseline covariates).
  A covariate whose values are strings (a site, a stratum) is categorical, entered as a factor
  with treatment coding; one whose values are numbers is entered as a linear term.
- Intention to treat: every participant is analysed in the arm they were randomised to,
  whatever they went on to receive. The caller passes the randomised arm, not the treatment
  received.
- The standard error, the 95% confidence interval and the two-sided p-value are the usual OLS
  ones, from the t distribution on the model's residual degrees of freedom.

Missing data: the analysis is of complete cases. A row is dropped, and counted in
``n_dropped``, when its outcome, its baseline or any covariate is missing: the value is ``None``,
a NaN, or the key is absent. Nothing is imputed. (In a trial the outcome is what goes missing; the
count lets the report say how many randomised participants the analysis left out, and a
sensitivity analysis under other assumptions about the missing outcomes is a separate job.)

Descriptive statistics (`summarise`)
------------------------------------
For each measure (baseline and each follow-up time point) and each arm: how many values there
are, how many are missing, their mean and their sample standard deviation.
"""

from __future__ import annotations

import decimal
import math
import numbers
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from django.utils.translation import gettext as _

__all__ = ["RESERVED_KEYS", "AnalysisError", "ancova", "summarise"]

#: The top-level keys of `ancova`'s result that are not arms. An arm may not be named one of
#: these (its result would be lost among them).
RESERVED_KEYS = frozenset({"n_dropped", "n_reference", "covariates_dropped", "df_resid"})

# The names the columns take inside the model. Renaming keeps arbitrary column names (spaces,
# dots, "swemwbs_week_12") out of the formula, so nothing in it needs quoting.
_OUTCOME = "outcome"
_BASELINE = "baseline"
_ARM = "arm"
_ARM_TERM = f"C({_ARM}, Treatment(reference=_reference))"


class AnalysisError(ValueError):
    """The data cannot be analysed as asked; the message says why, in a statistician's words."""


def ancova(
    rows: Sequence[Mapping[str, Any]],
    *,
    outcome: str,
    baseline: str,
    arm: str,
    reference: Any,
    covariates: Iterable[str] = (),
) -> dict[Any, Any]:
    """Fit the primary analysis: follow-up score on randomised arm, adjusted for baseline score
    and covariates, by OLS; return each arm's adjusted difference from the reference arm.

    `rows`: one mapping per randomised participant. `outcome`, `baseline` and `arm` name the
    follow-up score, the baseline score and the randomised arm in each row; `reference` is the arm
    the others are compared with (usually usual care); `covariates` names the stratification
    factors and other baseline covariates to adjust for. A covariate is categorical when its
    values are strings and numeric when they are numbers.

    Missing data: a row whose outcome, baseline or any covariate is missing (``None``, NaN or the
    key absent) is dropped from the analysis and counted in ``n_dropped``. Every row must have an
    arm: a participant without one was not randomised and has no place in the analysis.

    Intention to treat: rows are analysed by the arm given in `arm`, which must be the arm
    each participant was randomised to.

    A covariate that takes only one value among the analysed rows (a stratum in which every
    participant happens to fall, say) says nothing and cannot be estimated; it is left out of the
    model and named in ``covariates_dropped``.

    Returns a dict with one entry per arm other than the reference, keyed by the arm as it
    appears in the rows, each a dict of:

    - ``estimate``: the adjusted mean difference, that arm minus the reference arm;
    - ``std_error``: its standard error;
    - ``ci_low``, ``ci_high``: its 95% confidence interval;
    - ``p_value``: the two-sided p-value for no difference;
    - ``n``: the number of that arm's rows analysed;

    and these top-level keys (`RESERVED_KEYS`):

    - ``n_dropped``: the number of rows dropped for missing data, over all arms;
    - ``n_reference``: the number of reference-arm rows analysed;
    - ``covariates_dropped``: the covariates left out for having a single value, in the order
      given;
    - ``df_resid``: the model's residual degrees of freedom (the t distribution's).

    Raises `AnalysisError` when there are fewer than two arms, when `reference` is not one of
    the arms, when an arm has no row that can be analysed, when there are too few rows to fit the
    model (fewer than one residual degree of freedom), when the arm effect cannot be separated
    from the covariates, when the model fits the outcomes exactly (leaving no residual variation
    to estimate standard errors from), and when a value is not of the kind the model needs.
    """
    covariates = list(covariates)
    _check_column_names(outcome, baseline, arm, covariates)
    rows = list(rows)
    arms = _arms_in_order(rows, arm)
    if len(arms) < 2:
        raise AnalysisError(
            _(
                "The analysis compares arms, so it needs participants in at least two arms; "
                "the data have %(count)d (%(arms)s)."
            )
            % {"count": len(arms), "arms": _listed(arms)}
        )
    if reference not in arms:
        raise AnalysisError(
            _("The reference arm %(reference)s is not among the arms in the data (%(arms)s).")
            % {"reference": _quoted(reference), "arms": _listed(arms)}
        )
    for name in arms:
        if isinstance(name, str) and name in RESERVED_KEYS:
            raise AnalysisError(
                _("An arm may not be called %(arm)s: the results use that name for a total.")
                % {"arm": _quoted(name)}
            )

    analysed = [
        row
        for row in rows
        if not any(_is_missing(row.get(column)) for column in (outcome, baseline, *covariates))
    ]
    n_by_arm = dict.fromkeys(arms, 0)
    for row in analysed:
        n_by_arm[row[arm]] += 1
    for name, count in n_by_arm.items():
        if count == 0:
            raise AnalysisError(
                _(
                    "The arm %(arm)s has no participant who can be analysed: every one of them "
                    "is missing the outcome, the baseline score or a covariate."
                )
                % {"arm": _quoted(name)}
            )

    data = pd.DataFrame(
        {
            _OUTCOME: [_number(row[outcome], outcome) for row in analysed],
            _BASELINE: [_number(row[baseline], baseline) for row in analysed],
            # The reference first, then the other arms as they first appear.
            _ARM: pd.Categorical(
                [row[arm] for row in analysed],
                categories=[reference, *(name for name in arms if name != reference)],
            ),
        }
    )
    terms = [_ARM_TERM, _BASELINE]
    covariates_dropped = []
    for position, covariate in enumerate(covariates):
        values = [row[covariate] for row in analysed]
        if len(set(values)) < 2:
            covariates_dropped.append(covariate)
            continue
        internal = f"covariate_{position}"
        if _is_categorical(values, covariate):
            data[internal] = pd.Categorical(values, categories=sorted(set(values)))
            terms.append(f"C({internal})")
        else:
            data[internal] = [_number(value, covariate, allow_bool=True) for value in values]
            terms.append(internal)

    formula = f"{_OUTCOME} ~ " + " + ".join(terms)
    y, x = patsy.dmatrices(
        formula,
        data,
        eval_env=patsy.EvalEnvironment([{"_reference": reference}]),
        NA_action="raise",
        return_type="dataframe",
    )
    n_rows, n_parameters = x.shape
    if n_rows - n_parameters < 1:
        raise AnalysisError(
            _(
                "Too few participants to fit the model: %(rows)d analysable rows for "
                "%(parameters)d parameters leave no residual degrees of freedom. The model "
                "needs at least %(needed)d rows."
            )
            % {"rows": n_rows, "parameters": n_parameters, "needed": n_parameters + 1}
        )
    if np.linalg.matrix_rank(x.to_numpy()) < n_parameters:
        raise AnalysisError(
            _(
                "The model cannot be fitted: its terms are collinear, so the arm effect cannot "
                "be separated from the baseline score and covariates (for example, a stratum "
                "whose participants are all in one arm, or a baseline score that is the same "
                "for everyone)."
            )
        )

    fit = sm.OLS(y, x).fit()
    # An exact fit leaves no residual variance to estimate standard errors from: they would be
    # rounding error, and the p-values and intervals with them. (Test for it relative to the size
    # of the outcomes, as rounding error grows with them.)
    outcome_scale = max(1.0, float(np.abs(y.to_numpy()).max()))
    if fit.ssr <= n_rows * (1e-10 * outcome_scale) ** 2:
        raise AnalysisError(
            _(
                "The model fits every analysable outcome exactly, so there is no residual "
                "variation to estimate standard errors, confidence intervals or p-values from."
            )
        )
    confidence = fit.conf_int(alpha=0.05)
    arm_columns = x.columns[x.design_info.term_name_slices[_ARM_TERM]]
    compared = list(data[_ARM].cat.categories[1:])  # the arm term's columns, in this order

    result: dict[Any, Any] = {}
    for name, column in zip(compared, arm_columns, strict=True):
        result[name] = {
            "estimate": float(fit.params[column]),
            "std_error": float(fit.bse[column]),
            "ci_low": float(confidence.loc[column, 0]),
            "ci_high": float(confidence.loc[column, 1]),
            "p_value": float(fit.pvalues[column]),
            "n": n_by_arm[name],
        }
    result["n_dropped"] = len(rows) - len(analysed)
    result["n_reference"] = n_by_arm[reference]
    result["covariates_dropped"] = covariates_dropped
    result["df_resid"] = int(round(fit.df_resid))
    return result


def summarise(
    rows: Sequence[Mapping[str, Any]], *, arm: str, measures: Sequence[str]
) -> list[dict[str, Any]]:
    """Descriptive statistics of each measure in each arm, for the trial's baseline table and
    its table of scores over time.

    Returns one dict per (measure, arm), ordered by measure as given, then by arm in the order
    the arms first appear in `rows`. Each holds:

    - ``measure``, ``arm``;
    - ``n``: the number of rows in that arm with a value for the measure;
    - ``missing``: the number without one (``None``, NaN or the key absent);
    - ``mean``: the mean of the values, ``None`` when there are none;
    - ``sd``: their sample standard deviation (divisor n - 1), ``None`` when there are fewer
      than two.

    Every row must have an arm; `AnalysisError` otherwise, and when a value is not a number.
    """
    rows = list(rows)
    arms = _arms_in_order(rows, arm)
    summaries = []
    for measure in measures:
        for name in arms:
            in_arm = [row.get(measure) for row in rows if row[arm] == name]
            values = [_number(value, measure) for value in in_arm if not _is_missing(value)]
            summaries.append(
                {
                    "measure": measure,
                    "arm": name,
                    "n": len(values),
                    "missing": len(in_arm) - len(values),
                    "mean": statistics.fmean(values) if values else None,
                    "sd": statistics.stdev(values) if len(values) >= 2 else None,
                }
            )
    return summaries


# --- Helpers -------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    """None, a NaN (float, numpy or Decimal) or pandas' NA."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, str):
        return False
    try:
        return math.isnan(value)
    except (TypeError, ValueError):
        return False


def _number(value: Any, column: str, *, allow_bool: bool = False) -> float:
    """The value as a float; `AnalysisError` if it is not a finite number. A bool is a number
    (0 or 1) only where `allow_bool` says so: a score of True is a mistake, a yes/no covariate
    is not."""
    is_number = isinstance(value, numbers.Real | decimal.Decimal) and (
        allow_bool or not isinstance(value, bool)
    )
    if not is_number or not math.isfinite(value):
        raise AnalysisError(
            _("%(column)s must hold numbers, but one of its values is %(value)s.")
            % {"column": _quoted(column), "value": _quoted(value)}
        )
    return float(value)


def _is_categorical(values: list[Any], covariate: str) -> bool:
    """True when every value is a string, False when every value is a number (a bool counts as
    0 or 1)."""
    if all(isinstance(value, str) for value in values):
        return True
    if all(isinstance(value, numbers.Real | decimal.Decimal) for value in values):
        return False
    raise AnalysisError(
        _(
            "The covariate %(covariate)s mixes text and numbers. A covariate must be either "
            "categorical (all text) or numeric (all numbers)."
        )
        % {"covariate": _quoted(covariate)}
    )


def _arms_in_order(rows: list[Mapping[str, Any]], arm: str) -> list[Any]:
    """The arms in the order they first appear; every row must have one."""
    arms: dict[Any, None] = {}
    for position, row in enumerate(rows, start=1):
        value = row.get(arm)
        if _is_missing(value):
            raise AnalysisError(
                _(
                    "Row %(row)d has no arm (%(column)s). Every randomised participant is "
                    "analysed in the arm they were randomised to, so every row needs one."
                )
                % {"row": position, "column": _quoted(arm)}
            )
        arms.setdefault(value, None)
    return list(arms)


def _check_column_names(outcome: str, baseline: str, arm: str, covariates: list[str]) -> None:
    columns = [outcome, baseline, arm, *covariates]
    repeated = sorted({column for column in columns if columns.count(column) > 1}, key=str)
    if repeated:
        raise AnalysisError(
            _(
                "Each column can play only one part in the model (outcome, baseline, arm or "
                "covariate); %(columns)s is given more than one."
            )
            % {"columns": _listed(repeated)}
        )


def _quoted(value: Any) -> str:
    return f"“{value}”"


def _listed(values: Iterable[Any]) -> str:
    return ", ".join(_quoted(value) for value in values) or _("none")
