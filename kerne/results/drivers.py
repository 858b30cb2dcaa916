"""Drivers: which dimensions matter most for an outcome dimension (relative-weights analysis).

Johnson's relative weights (Johnson 2000, "A heuristic method for estimating the relative
weight of predictor variables in multiple regression"): the predictors are replaced by
their closest orthogonal counterparts Z = X Λ⁻¹ (Λ = the symmetric square root of the
predictors' correlation matrix), the outcome is regressed on Z (β = Λ⁻¹ r_xy), and the
explained variance R² is split back onto the original predictors through the squared
loadings: ε_j = Σ_k Λ_jk² β_k². The weights are non-negative and sum to R², so they read
as "the share of the outcome's variation that goes with this dimension", even when
dimensions correlate with each other (as survey dimensions always do).

Computed across respondents with a score on the outcome and every predictor (complete
cases), only for groups of at least `MIN_RESPONDENTS` such respondents. Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MIN_RESPONDENTS = 30


@dataclass(frozen=True)
class RelativeWeights:
    n: int  # complete cases used
    r_squared: float
    raw: npt.NDArray[np.float64]  # ε_j, sums to R²
    share: npt.NDArray[np.float64]  # ε_j / R² (sums to 1 unless R² = 0)


def relative_weights(predictors: npt.ArrayLike, outcome: npt.ArrayLike) -> RelativeWeights:
    """Relative weights of the predictors' columns for the outcome (rows = respondents, no NaN).

    A predictor that does not vary gets weight 0. Raises ValueError when there are fewer
    than three respondents or the outcome does not vary.
    """
    x = np.asarray(predictors, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(
            "predictors must be respondents × dimensions and the outcome one value per respondent"
        )
    n, p = x.shape
    if n < 3:
        raise ValueError("relative weights need at least three respondents")
    y_sd = y.std()
    if y_sd == 0:
        raise ValueError("the outcome does not vary")
    sd = x.std(axis=0)
    varying = sd > 0
    raw = np.zeros(p)
    if varying.any():
        xs = (x[:, varying] - x[:, varying].mean(axis=0)) / sd[varying]
        ys = (y - y.mean()) / y_sd
        r_xx = (xs.T @ xs) / n
        r_xy = (xs.T @ ys) / n
        eigenvalues, vectors = np.linalg.eigh(r_xx)
        eigenvalues = np.clip(eigenvalues, 0.0, None)
        root = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T  # Λ, symmetric
        beta = np.linalg.pinv(root) @ r_xy
        raw[varying] = (root**2) @ (beta**2)
    r_squared = float(raw.sum())
    share = raw / r_squared if r_squared > 0 else np.zeros(p)
    return RelativeWeights(n=n, r_squared=r_squared, raw=raw, share=share)


def complete_cases(
    scores: npt.NDArray[np.float64], outcome: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]]:
    """From respondents × dimensions scores (NaN = missing): predictors, outcome and predictor columns."""
    columns = [d for d in range(scores.shape[1]) if d != outcome]
    complete = ~np.isnan(scores).any(axis=1)
    return scores[complete][:, columns], scores[complete, outcome], columns
