"""The fast loader (pyarrow's CSV reader, vectorised checks) against the
general one: the same frames, the same problems with the same lines, and
the general reader for every file pyarrow cannot read as the loader does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aiadopt import DataValidationError, load
from aiadopt.io import _read
from aiadopt.sample import write_sample


def general_reader(monkeypatch):
    """Make the loader use the general (pandas, text) CSV reader only."""
    monkeypatch.setattr(_read, "_read_csv_arrow", lambda path: None)


def both(folder, monkeypatch, **kwargs):
    """load() with the fast reader, then with the general one."""
    fast = load(folder, **kwargs)
    with monkeypatch.context() as m:
        general_reader(m)
        general = load(folder, **kwargs)
    return fast, general


def assert_same(fast, general):
    for table in ("use_cases", "processes", "survey"):
        pd.testing.assert_frame_equal(
            getattr(fast, table), getattr(general, table), check_exact=True
        )
    assert fast.items == general.items
    assert fast.dropped_columns == general.dropped_columns


def problems(folder, **kwargs):
    with pytest.raises(DataValidationError) as info:
        load(folder, **kwargs)
    return [str(p) for p in info.value.problems]


def both_problems(folder, monkeypatch):
    fast = problems(folder)
    with monkeypatch.context() as m:
        general_reader(m)
        general = problems(folder)
    return fast, general


@pytest.fixture
def sample(tmp_path):
    write_sample(tmp_path, seed=3, n_respondents=300, n_waves=3, n_use_cases=80)
    return tmp_path


def test_sample_is_read_by_pyarrow_and_equals_the_general_reader(sample, monkeypatch):
    assert _read._read_csv_arrow(sample / "survey.csv") is not None
    fast, general = both(sample, monkeypatch)
    assert_same(fast, general)
    assert len(fast.survey) > 500


def test_dutch_excel_dialect_equals_the_general_reader(sample, monkeypatch):
    # sep= line, BOM, ';' with decimal commas in money, Likert and phase
    # labels, a quoted line break, CRLF line ends.
    survey = pd.read_csv(sample / "survey.csv", dtype=str, keep_default_na=False)
    labels = {"1": "helemaal oneens", "2": "oneens", "3": "neutraal", "4": "eens"}
    items = [c for c in survey.columns if c.startswith("culture_")]
    survey[items] = survey[items].replace(labels)
    survey["team_phase"] = survey["team_phase"].replace({"2": "afwachtend", "3": "proberend"})
    survey["role"] = survey["role"].replace({"leader": "Leidinggevende", "employee": "medewerker"})
    text = survey.to_csv(sep=";", index=False, lineterminator="\r\n")
    (sample / "survey.csv").write_bytes(("\ufeffsep=;\r\n" + text).encode())
    uc = pd.read_csv(sample / "use_cases.csv", dtype=str, keep_default_na=False)
    uc["investment_eur"] = uc["investment_eur"].str.replace(".", ",", regex=False)
    uc.loc[0, "title"] = "Two\nlines"
    (sample / "use_cases.csv").write_text(uc.to_csv(sep=";", index=False), encoding="utf-8")
    assert _read._read_csv_arrow(sample / "survey.csv") is not None
    assert _read._read_csv_arrow(sample / "use_cases.csv") is not None
    fast, general = both(sample, monkeypatch)
    assert_same(fast, general)
    assert fast.survey["culture_feedback_1"].notna().any()


def test_problems_name_the_same_lines_after_line_breaks_and_empty_rows(sample, monkeypatch):
    lines = (sample / "survey.csv").read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    for n, (column, value) in {
        9: ("role", "boss"),
        20: ("comp_change_1", "7"),
        31: ("culture_feedback_1", "sometimes"),
        40: ("wave", "2025-13"),
    }.items():
        cells = lines[n - 1].split(",")
        cells[header.index(column)] = value
        lines[n - 1] = ",".join(cells)
    cells = lines[12].split(",")
    cells[header.index("team")] = f'"{cells[header.index("team")]}\n"'  # a quoted line break
    lines[12] = ",".join(cells)
    lines.insert(3, ",".join([""] * len(header)))  # a row of empty cells
    (sample / "survey.csv").write_text("\n".join(lines), encoding="utf-8")
    assert _read._read_csv_arrow(sample / "survey.csv") is not None
    fast, general = both_problems(sample, monkeypatch)
    assert fast == general
    assert any("line 10" in p and "boss" in p for p in fast)  # shifted by the empty-cells row


def test_duplicates_and_missing_values_are_reported_as_before(sample, monkeypatch):
    lines = (sample / "survey.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[7].split(",")
    cells[header.index("department")] = ""
    lines[7] = ",".join(cells)
    lines.append(lines[3])  # the same respondent and wave again
    (sample / "survey.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, general = both_problems(sample, monkeypatch)
    assert fast == general
    assert any("answered the same wave twice" in p for p in fast)
    assert any("required value is empty" in p for p in fast)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b.replace(b"Finance", "Financiën".encode("cp1252")), id="cp1252"),
        pytest.param(lambda b: b.replace(b"\n", b"\n\x00", 1), id="nul"),
        pytest.param(
            lambda b: b.replace(b",2", b"", 1).replace(b"\n", b"\nonly,two\n", 1), id="short-row"
        ),
        pytest.param(
            lambda b: b.replace(b"respondent_id,", b'"respondent_id",', 1), id="quoted-header"
        ),
        pytest.param(lambda b: b.replace(b"\n", b"\n\n", 3), id="blank-lines"),
    ],
)
def test_files_pyarrow_cannot_read_as_the_loader_go_to_the_general_reader(
    sample, monkeypatch, damage
):
    path = sample / "survey.csv"
    path.write_bytes(damage(path.read_bytes()))
    assert _read._read_csv_arrow(path) is None
    try:
        fast = load(sample)
    except DataValidationError as exc:
        fast = [str(p) for p in exc.problems]
    with monkeypatch.context() as m:
        general_reader(m)
        try:
            general = load(sample)
        except DataValidationError as exc:
            general = [str(p) for p in exc.problems]
    if isinstance(fast, list):
        assert fast == general
    else:
        assert_same(fast, general)


def test_vectorised_checks_pass_only_clean_tables():
    import pandera.pandas as pa

    from aiadopt.io._tables import _holds, _is_likert

    likert = pa.Check(_is_likert, name="likert", error="whole number from 1 to 5")
    schema = pa.DataFrameSchema(
        {
            "id": pa.Column(nullable=False, unique=True),
            "role": pa.Column(nullable=False, checks=pa.Check.isin(["leader", "employee"])),
            "score": pa.Column(nullable=True, checks=pa.Check.in_range(1, 5)),
            "answer": pa.Column(nullable=True, checks=likert),
            "amount": pa.Column(nullable=True, checks=pa.Check.ge(0)),
        },
        unique=["id", "role"],
    )
    clean = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "role": pd.Categorical(["leader", "employee", "leader"]),
            "score": [1.0, np.nan, 5.0],
            "answer": [3.0, 4.0, np.nan],
            "amount": [0.0, 12.5, np.nan],
        }
    )
    assert _holds(clean, schema, {})
    schema.validate(clean, lazy=True)  # pandera agrees
    for column, value in [
        ("id", "a"),
        ("id", None),
        ("role", "boss"),
        ("score", 5.5),
        ("answer", 2.5),
        ("answer", 0.0),
        ("amount", -1.0),
    ]:
        broken = clean.copy()
        if column == "role":
            broken["role"] = broken["role"].cat.add_categories([value])
        broken.loc[1, column] = value
        assert not _holds(broken, schema, {}), (column, value)
        with pytest.raises(pa.errors.SchemaErrors):
            schema.validate(broken, lazy=True)
