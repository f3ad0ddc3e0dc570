"""Weighted least squares pieces shared by the estimators (pure NumPy).

Notation (metafor's): ``k`` studies, ``p`` coefficients, design matrix ``X`` of shape (k, p)
whose first column is the intercept, weights ``w`` of shape (k,) (1/(vi + tau^2), in
1/unit^2 of the effect size), ``W = diag(w)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class WLS:
    """A weighted least-squares fit.

    beta: coefficients, shape (p,); vb: ``(X' W X)^-1``, shape (p, p); P: the residual
    projector ``W - W X (X' W X)^-1 X' W``, shape (k, k) (so that ``Q = y' P y``).
    """

    beta: NDArray[np.float64]
    vb: NDArray[np.float64]
    P: NDArray[np.float64]


def wls(X: NDArray[np.float64], y: NDArray[np.float64], w: NDArray[np.float64]) -> WLS:
    """Weighted least squares of ``y`` (k,) on ``X`` (k, p) with weights ``w`` (k,).

    ``(X' W X)^-1`` comes from the QR factorisation of ``sqrt(W) X``, as in metafor's
    ``.invcalc``, which keeps its precision when moderators are large (e.g. years).
    """
    sw = np.sqrt(w)
    _, r = np.linalg.qr(sw[:, None] * X)
    r_inv = np.linalg.solve(r, np.eye(r.shape[0]))
    vb = r_inv @ r_inv.T
    xtw = X.T * w
    beta = vb @ (xtw @ y)
    P = np.diag(w) - xtw.T @ vb @ xtw
    return WLS(beta=beta, vb=vb, P=P)


def residual_projector(X: NDArray[np.float64], w: NDArray[np.float64]) -> NDArray[np.float64]:
    """``P = W - W X (X' W X)^-1 X' W``, shape (k, k), for design X (k, p), weights w (k,)."""
    return wls(X, np.zeros(X.shape[0]), w).P


def quadratic_form(P: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """``y' P y`` for P (k, k) and y (k,)."""
    return float(y @ P @ y)


def full_rank(X: NDArray[np.float64], tol: float = 1e-7) -> bool:
    """True if X (k, p) has full column rank (metafor's test: eigenvalues of X'X > 1e-7)."""
    if X.shape[0] < X.shape[1]:
        return False
    return bool(np.linalg.eigvalsh(X.T @ X).min() > tol)
