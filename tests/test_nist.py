"""Numerical accuracy of the OLS path against the NIST StRD linear regression sets.

NIST certifies, for each set, every estimate, its standard deviation, the
residual standard deviation and R² to 15 significant digits
(https://www.itl.nist.gov/div898/strd/lls/lls.shtml; the ``.dat`` files are
byte-exact copies, see ``data/nist/README.md``). Accuracy is measured as the
LRE (log relative error): ``-log10(|value - certified| / |certified|)``, or
``-log10(|value|)`` where the certified value is 0, capped at the certified
digits. The OLS path (:func:`aiadopt.regression.fit_ols`, the one
``fit_competency_roi`` uses, with the classical standard errors NIST
certifies) must reach 7 digits on every certified value, or refuse the design
with an error naming its condition number (allowed only above
:data:`~aiadopt.regression.MAX_CONDITION`).

The polynomial models (Pontius: degree 2, Filip: degree 10, Wampler1–5:
degree 5) get their powers of ``x`` in ``np.longdouble``: the certified values
are for the exact powers, and rounding x¹⁰ to float64 alone moves Filip's
exact solution in the 8th digit (its standardised condition number is 3.8e9).
"""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aiadopt.regression import MAX_CONDITION, fit_ols

DATA = Path(__file__).resolve().parent / "data" / "nist"
#: Set -> degree of the polynomial in x (None: the file's predictors as they are).
SETS: dict[str, int | None] = {
    "Norris": None,
    "Pontius": 2,
    "Longley": None,
    "Filip": 10,
    "Wampler1": 5,
    "Wampler2": 5,
    "Wampler3": 5,
    "Wampler4": 5,
    "Wampler5": 5,
}
MIN_DIGITS = 7.0
QUANTITIES = ("estimate", "std_dev", "residual_sd", "r_squared")


def read_strd(path: Path) -> dict:
    """Data and certified values of a NIST StRD linear regression ``.dat`` file.

    The header says where they are (``Certified Values (lines a to b)``,
    ``Data (lines c to d)``); certified values stay strings, so their digits
    can be counted.
    """
    text = path.read_text()
    lines = text.splitlines()
    spans = {
        key: (int(a), int(b))
        for key, a, b in re.findall(
            r"(Certified Values|Data)\s+\(lines\s+(\d+)\s+to\s+(\d+)\)", text
        )
    }
    first, last = spans["Certified Values"]
    estimate, std_dev, other = {}, {}, {}
    for line in lines[first - 1 : last]:
        tokens = line.split()
        if tokens and re.fullmatch(r"B\d+", tokens[0]):
            estimate[tokens[0]], std_dev[tokens[0]] = tokens[1], tokens[2]
        elif line.strip().startswith("Standard Deviation"):
            other["residual_sd"] = tokens[-1]
        elif line.strip().startswith("R-Squared"):
            other["r_squared"] = tokens[-1]
    first, last = spans["Data"]
    values = np.array([[float(v) for v in line.split()] for line in lines[first - 1 : last]])
    return {
        "header": text[: text.index("Certified Regression Statistics")],
        "values": values,
        "estimate": [estimate[f"B{i}"] for i in range(len(estimate))],
        "std_dev": [std_dev[f"B{i}"] for i in range(len(std_dev))],
        **other,
    }


def design(name: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Response and predictors of a set; polynomial powers in extended precision."""
    y, predictors = values[:, 0], values[:, 1:]
    degree = SETS[name]
    if degree is None:
        return y, predictors
    x = predictors[:, 0].astype(np.longdouble)
    return y, np.column_stack([x**p for p in range(1, degree + 1)])


def certified_digits(text: str) -> int:
    """Significant digits NIST prints: ``-0.358191792925910E-01`` -> 15; for a
    certified 0 (``0.000000000000000``) the decimals printed."""
    mantissa = re.split(r"[eE]", text)[0].lstrip("+-")
    significant = mantissa.replace(".", "").lstrip("0")
    return len(significant) if significant else len(mantissa.partition(".")[2])


def lre(value: float, certified: str) -> float:
    """Log relative error of ``value`` against a certified value (a string)."""
    c = float(certified)
    error = abs(float(value) - c) / abs(c) if c != 0 else abs(float(value))
    cap = certified_digits(certified)
    return float(cap) if error == 0 else min(float(cap), -math.log10(error))


def standardised_condition(X: np.ndarray) -> float:
    """2-norm condition number of the centred, unit-length columns (independent of the fit)."""
    Xc = np.asarray(X, dtype=np.longdouble)
    Xc = (Xc - Xc.mean(axis=0)).astype(np.float64)
    return float(np.linalg.cond(Xc / np.linalg.norm(Xc, axis=0)))


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    """Per set: the minimum LRE of each certified quantity, or the refusal."""
    out = {}
    for name in SETS:
        strd = read_strd(DATA / f"{name}.dat")
        y, X = design(name, strd["values"])
        row: dict = {"condition": standardised_condition(X), "refused": None}
        try:
            fit = fit_ols(y, X, cov_type="nonrobust")
        except ValueError as err:
            row["refused"] = str(err)
        else:
            row["estimate"] = min(map(lre, fit.params, strd["estimate"]))
            row["std_dev"] = min(map(lre, fit.bse, strd["std_dev"]))
            row["residual_sd"] = lre(math.sqrt(fit.scale), strd["residual_sd"])
            row["r_squared"] = lre(fit.rsquared, strd["r_squared"])
            row["fit_condition"] = fit.condition_number
        out[name] = row
    return out


def lre_table(results: dict[str, dict]) -> str:
    """Minimum LRE per set and quantity (digits; 15 = every certified digit)."""
    lines = [f"{'set':<9} {'cond':>9} " + " ".join(f"{q:>11}" for q in QUANTITIES)]
    for name, row in results.items():
        if row["refused"]:
            cells = "refused: " + row["refused"][:60]
        else:
            cells = " ".join(f"{row[q]:>11.1f}" for q in QUANTITIES)
        lines.append(f"{name:<9} {row['condition']:>9.2e} {cells}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(SETS))
def test_certified_values_to_seven_digits_or_refused(results, name):
    row = results[name]
    table = lre_table(results)
    if row["refused"] is not None:
        assert row["condition"] > MAX_CONDITION, (
            f"{name} was refused although its condition number {row['condition']:.3g} is within "
            f"{MAX_CONDITION:.3g}:\n{row['refused']}\n{table}"
        )
        named = re.search(r"condition number (\S+), above", row["refused"])
        assert named and float(named.group(1)) == pytest.approx(row["condition"], rel=1e-2)
        return
    worst = min(row[q] for q in QUANTITIES)
    assert worst >= MIN_DIGITS, (
        f"{name}: only {worst:.1f} correct digits (need {MIN_DIGITS:g}); minimum LRE per set:\n{table}"
    )
    assert row["fit_condition"] == pytest.approx(row["condition"], rel=1e-6)


def test_every_set_is_fitted_below_the_condition_limit(results):
    # On x86-64 (80-bit long double) every NIST set, Filip included (3.8e9), is
    # within MAX_CONDITION (9.2e9) and must be fitted, not refused.
    within = [name for name, row in results.items() if row["condition"] <= MAX_CONDITION]
    refused = [name for name in within if results[name]["refused"]]
    assert refused == [], lre_table(results)
    if np.finfo(np.longdouble).eps < 1e-18:
        assert within == list(SETS), lre_table(results)


def test_ill_conditioned_design_is_refused_naming_its_condition_number():
    x = np.arange(21, dtype=np.longdouble) + 100  # Wampler's x, shifted: powers nearly collinear
    X = np.column_stack([x**p for p in range(1, 8)])
    y = np.asarray(1 + x + x**2, dtype=float)
    condition = standardised_condition(X)
    assert condition > MAX_CONDITION
    with pytest.raises(ValueError) as info:
        fit_ols(y, X)
    message = str(info.value)
    assert f"condition number {condition:.3g}, above {MAX_CONDITION:.3g}" in message
    assert "The predictors x2, x3, x4, x5, x6 are nearly linear combinations" in message
    assert "nothing was fitted" in message and "orthogonal polynomials" in message


def test_vendored_files_are_the_documented_byte_exact_copies():
    readme = (DATA / "README.md").read_text()
    documented = dict(re.findall(r"^\| (\w+\.dat) \|.*\| ([0-9a-f]{64}) \|$", readme, re.M))
    assert sorted(documented) == sorted(f"{name}.dat" for name in SETS)
    for file, digest in documented.items():
        assert hashlib.sha256((DATA / file).read_bytes()).hexdigest() == digest, file


@pytest.mark.parametrize("name", list(SETS))
def test_parsed_set_matches_its_header(name):
    strd = read_strd(DATA / f"{name}.dat")
    n_obs = int(re.search(r"(\d+) Observations", strd["header"]).group(1))
    n_par = int(re.search(r"(\d+) Parameters", strd["header"]).group(1))
    assert strd["values"].shape[0] == n_obs
    assert len(strd["estimate"]) == len(strd["std_dev"]) == n_par
    y, X = design(name, strd["values"])
    assert X.shape == (n_obs, n_par - 1)
    assert all(certified_digits(v) == 15 for v in strd["estimate"] if float(v) != 0)


def test_longley_dat_agrees_with_the_csv_copies():
    strd = read_strd(DATA / "Longley.dat")
    data = pd.read_csv(DATA / "longley.csv")
    np.testing.assert_array_equal(strd["values"], data.to_numpy(dtype=float))
    certified = pd.read_csv(DATA / "longley_certified.csv").set_index("parameter")
    betas = [f"B{i}" for i in range(7)]
    np.testing.assert_array_equal(
        [float(v) for v in strd["estimate"]], certified.loc[betas, "estimate"]
    )
    np.testing.assert_array_equal(
        [float(v) for v in strd["std_dev"]], certified.loc[betas, "standard_deviation"]
    )
    assert float(strd["residual_sd"]) == certified.loc["residual_standard_deviation", "estimate"]
    assert float(strd["r_squared"]) == certified.loc["r_squared", "estimate"]


def test_lre_measure():
    assert lre(1.0000001, "1.00000000000000") == pytest.approx(7.0, abs=1e-6)
    assert lre(-0.0358191792925910, "-0.358191792925910E-01") == 15.0
    assert lre(1e-9, "0.000000000000000") == pytest.approx(9.0)
    assert lre(1e-17, "0.000000000000000") == 15.0
    assert certified_digits("0.884796396144373") == 15
    assert certified_digits("-3482258.63459582") == 15


def _exact_hc3(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """HC3 standard errors of OLS with an intercept, in exact rational arithmetic."""
    from fractions import Fraction

    A = [[Fraction(1)] + [Fraction(float(v)) for v in row] for row in X]
    b = [Fraction(float(v)) for v in y]
    k = len(A[0])
    # Gauss-Jordan on [AᵀA | I] gives (AᵀA)⁻¹ exactly.
    M = [[sum(r[i] * r[j] for r in A) for j in range(k)] + [Fraction(int(i == j)) for j in range(k)]
         for i in range(k)]  # fmt: skip
    for c in range(k):
        p = next(i for i in range(c, k) if M[i][c] != 0)
        M[c], M[p] = M[p], M[c]
        M[c] = [v / M[c][c] for v in M[c]]
        for i in range(k):
            if i != c and M[i][c] != 0:
                M[i] = [u - M[i][c] * v for u, v in zip(M[i], M[c], strict=True)]
    inv = [row[k:] for row in M]
    pinv = [[sum(inv[i][j] * a[j] for j in range(k)) for a in A] for i in range(k)]  # (AᵀA)⁻¹Aᵀ
    coef = [sum(p * v for p, v in zip(row, b, strict=True)) for row in pinv]
    out = []
    for i in range(k):
        var = Fraction(0)
        for t, a in enumerate(A):
            e = b[t] - sum(c * v for c, v in zip(coef, a, strict=True))
            h = sum(a[j] * pinv[j][t] for j in range(k))
            var += pinv[i][t] ** 2 * e * e / (1 - h) ** 2
        out.append(math.sqrt(var))
    return np.array(out)


def test_hc3_on_longley_matches_exact_arithmetic():
    # HC3 goes through the same refined pseudo-inverse; on Longley (the most
    # ill-conditioned raw design among the non-polynomial sets) it must match
    # the exact sandwich of the same data to 10 digits.
    strd = read_strd(DATA / "Longley.dat")
    y, X = design("Longley", strd["values"])
    got = fit_ols(y, X, cov_type="HC3").bse.to_numpy()
    np.testing.assert_allclose(got, _exact_hc3(y, X), rtol=1e-10)
