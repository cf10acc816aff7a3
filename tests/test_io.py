"""Loading: dialects, labels, codebook, and every validation error naming
file, line, column and value."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import aiadopt
from aiadopt import DataValidationError, load, load_codebook, load_survey, load_use_cases
from aiadopt.cli import main

USE_CASES = """\
use_case_id,title,department,team,goal,status,process,impact,effort,feasibility,urgency,start_date,decision_date,first_impact_date,investment_eur,annual_benefit_eur
UC-001,Invoice matching,Finance,Control,operational,production,Invoicing,4,2,4,3,2025-01-10,2025-03-01,2025-04-01,10000,25000
UC-002,Chat assistant,HR,Recruitment,personal,pilot,,3,3,3,3,2025-02-01,,,5000,
UC-003,Forecasting,Finance,Control,strategic,idea,,5,4,2,4,,,,,
"""
PROCESSES = """\
department,process,core
Finance,Invoicing,true
HR,Hiring,false
"""
SURVEY = """\
respondent_id,wave,department,team,role,ai_use_frequency,ai_skill_level,ai_training_done,team_phase,comp_change_1,comp_change_2,culture_feedback_1,comment
0042,2025-03,Finance,Control,leader,weekly,user,true,3,4,5,4,I like it
0043,2025-03,HR,Recruitment,employee,never,connector,false,2,,,3,
"""


def write(
    folder, use_cases=USE_CASES, processes=PROCESSES, survey=SURVEY, *, encoding="utf-8", names=None
):
    names = names or {
        "use_cases": "use_cases.csv",
        "processes": "processes.csv",
        "survey": "survey.csv",
    }
    for table, text in (("use_cases", use_cases), ("processes", processes), ("survey", survey)):
        if text is not None:
            (folder / names[table]).write_bytes(text.encode(encoding))
    return folder


def problems_of(folder, **kwargs):
    with pytest.raises(DataValidationError) as info:
        load(folder, **kwargs)
    return info.value


def replace_cell(text, line, column, value, sep=","):
    """Set one cell of a CSV text; ``line`` counts the header as 1."""
    rows = text.splitlines()
    header = rows[0].split(sep)
    cells = rows[line - 1].split(sep)
    cells[header.index(column)] = value
    rows[line - 1] = sep.join(cells)
    return "\n".join(rows) + "\n"


# -- the happy path ---------------------------------------------------------


def test_load_canonical_types(tmp_path):
    data = load(write(tmp_path))
    uc, sv, pr = data.use_cases, data.survey, data.processes
    assert list(uc["use_case_id"]) == ["UC-001", "UC-002", "UC-003"]
    assert uc["start_date"].dtype == "datetime64[ns]"
    assert uc.loc[0, "decision_date"] == pd.Timestamp("2025-03-01")
    assert pd.isna(uc.loc[1, "annual_benefit_eur"])
    assert pr["core"].tolist() == [True, False]
    assert sv["respondent_id"].tolist() == ["0042", "0043"]  # ids stay strings, zeros kept
    assert str(sv["wave"].dtype) == "period[M]"
    assert sv["ai_use_frequency"].cat.ordered
    assert data.items["comp_change"] == ("comp_change_1", "comp_change_2")
    assert data.items["culture_feedback"] == ("culture_feedback_1",)


def test_free_text_dropped_at_load(tmp_path):
    data = load(write(tmp_path))
    assert "comment" not in data.survey.columns
    assert "comment" in data.dropped_columns
    assert not data.survey.isin(["I like it"]).any().any()


# -- CSV dialects ------------------------------------------------------------


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_detected(tmp_path, sep):
    convert = lambda t: t.replace(",", sep)  # noqa: E731
    data = load(write(tmp_path, convert(USE_CASES), convert(PROCESSES), convert(SURVEY)))
    assert data.use_cases["impact"].tolist() == [4.0, 3.0, 5.0]
    assert data.survey["comp_change_1"].iloc[0] == 4.0


def test_decimal_comma_and_dutch_money(tmp_path):
    text = USE_CASES.replace(",", ";")
    text = replace_cell(text, 2, "impact", "3,5", sep=";")
    text = replace_cell(text, 2, "investment_eur", "12.500,50", sep=";")
    text = replace_cell(text, 2, "annual_benefit_eur", "€ 30.000", sep=";")
    data = load(write(tmp_path, text))
    row = data.use_cases.iloc[0]
    assert row["impact"] == 3.5
    assert row["investment_eur"] == 12500.5
    assert row["annual_benefit_eur"] == 30000.0


def test_utf8_bom_and_windows_1252(tmp_path):
    survey = SURVEY.replace("Recruitment", "Werving & Selectie é")
    uc = USE_CASES.replace("Recruitment", "Werving & Selectie é")
    (tmp_path / "use_cases.csv").write_bytes(b"\xef\xbb\xbf" + uc.encode("utf-8"))
    (tmp_path / "processes.csv").write_bytes(PROCESSES.encode("utf-8"))
    (tmp_path / "survey.csv").write_bytes(survey.encode("cp1252"))
    data = load(tmp_path)
    assert data.use_cases.columns[0] == "use_case_id"  # BOM not part of the name
    assert "Werving & Selectie é" in set(data.survey["team"])


def test_iso_and_dutch_dates(tmp_path):
    text = replace_cell(USE_CASES, 2, "start_date", "10-01-2025")
    text = replace_cell(text, 2, "decision_date", "01/03/2025")
    data = load(write(tmp_path, text))
    assert data.use_cases.loc[0, "start_date"] == pd.Timestamp("2025-01-10")
    assert data.use_cases.loc[0, "decision_date"] == pd.Timestamp("2025-03-01")


@pytest.mark.parametrize(
    "yes,no",
    [("true", "false"), ("ja", "nee"), ("1", "0"), ("yes", "no"), ("Ja", "NEE"), ("TRUE", "False")],
)
def test_booleans(tmp_path, yes, no):
    processes = f"department,process,core\nFinance,Invoicing,{yes}\nHR,Hiring,{no}\n"
    data = load(write(tmp_path, processes=processes))
    assert data.processes["core"].tolist() == [True, False]


def test_dutch_and_english_labels(tmp_path):
    survey = SURVEY.replace(
        "leader,weekly,user,true,3,4,5",
        "Leidinggevende,Wekelijks,gebruiker,ja,lerend,helemaal mee eens,Mee eens",
    )
    survey = survey.replace("employee,never,connector,false", "medewerker,nooit,verbinder,nee")
    uc = USE_CASES.replace("operational,production", "operationeel,productie").replace(
        "personal,pilot", "Persoonlijk,Pilot"
    )
    data = load(write(tmp_path, uc, survey=survey))
    sv = data.survey
    assert sv["role"].tolist() == ["leader", "employee"]
    assert sv["ai_use_frequency"].tolist() == ["weekly", "never"]
    assert sv["ai_skill_level"].tolist() == ["user", "connector"]
    assert sv["team_phase"].iloc[0] == 4.0
    assert sv["comp_change_1"].iloc[0] == 5.0 and sv["comp_change_2"].iloc[0] == 4.0
    assert data.use_cases["goal"].tolist()[:2] == ["operational", "personal"]
    assert data.use_cases["status"].tolist()[:2] == ["production", "pilot"]


def test_own_codebook_maps_question_ids(tmp_path):
    survey = (
        "Respondent,Wave,Afdeling,Team,Rol,Q1,Q2,Q3,Q4,Q17_1,Q17_2\n"
        "7,2025-03,Finance,Control,leader,daily,specialist,yes,5,Agree,Strongly agree\n"
    )
    codebook = tmp_path / "mine.yaml"
    codebook.write_text(
        "columns: {q1: ai_use_frequency, q2: ai_skill_level, q3: ai_training_done, q4: team_phase}\n"
        "scales:\n  competency:\n    change: {items: [Q17_1, Q17_2]}\n"
    )
    data = load(write(tmp_path, survey=survey), codebook=codebook)
    assert data.items == {"comp_change": ("comp_change_1", "comp_change_2")}
    assert data.survey[["comp_change_1", "comp_change_2"]].iloc[0].tolist() == [4.0, 5.0]
    assert data.survey["ai_use_frequency"].iloc[0] == "daily"


def test_survey_tool_export_metadata_rows(tmp_path):
    lines = SURVEY.splitlines()
    header = lines[0].split(",")
    question = ",".join(f"Question text {i}" for i in range(len(header)))
    importid = ",".join('"{""ImportId"":""QID' + str(i) + '""}"' for i in range(len(header)))
    survey = "\n".join([lines[0], question, importid, *lines[1:]]) + "\n"
    data = load(write(tmp_path, survey=survey))
    assert len(data.survey) == 2
    # line numbers still count the metadata rows
    bad = survey.replace("0043,2025-03", "0043,2025-13")
    err = problems_of(write(tmp_path, survey=bad))
    assert "survey.csv, column 'wave'" in str(err) and "line 5 '2025-13'" in str(err)


def test_excel_and_parquet(tmp_path):
    src = write(tmp_path / "src" if (tmp_path / "src").mkdir() is None else None)
    data = load(src)
    for ext, writer in ((".xlsx", "to_excel"), (".parquet", "to_parquet")):
        folder = tmp_path / ext.strip(".")
        folder.mkdir()
        for table in ("use_cases", "processes", "survey"):
            frame = pd.read_csv(src / f"{table}.csv", dtype=str)
            getattr(frame, writer)(folder / f"{table}{ext}", index=False)
        other = load(folder)
        pd.testing.assert_frame_equal(other.use_cases, data.use_cases, check_dtype=False)
        assert other.survey["respondent_id"].tolist() == ["0042", "0043"]


def test_excel_rows_in_messages(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(USE_CASES), dtype=str)
    frame.loc[1, "status"] = "dreaming"
    frame.to_excel(tmp_path / "use_cases.xlsx", index=False)
    write(tmp_path, use_cases=None)
    err = problems_of(tmp_path)
    assert "use_cases.xlsx, column 'status'" in str(err)
    assert "row 3 'dreaming'" in str(err)


# -- validation errors -------------------------------------------------------


def assert_problem(err, file, line, column, value):
    """The message names file, line, column and value for one problem."""
    text = str(err)
    pattern = re.escape(f"{file}, column '{column}'") + r".*" + re.escape(f"{line} {value!r}")
    assert re.search(pattern, text), text
    assert any(p.file == file and p.line == line and p.column == column for p in err.problems), (
        err.problems
    )


def test_missing_required_column_suggests_closest(tmp_path):
    err = problems_of(write(tmp_path, USE_CASES.replace("investment_eur", "investment_euro")))
    text = str(err)
    assert "use_cases.csv" in text and "required column 'investment_eur' is missing" in text
    assert "Did you mean 'investment_euro'?" in text


def test_duplicate_use_case_id(tmp_path):
    err = problems_of(write(tmp_path, USE_CASES.replace("UC-002", "UC-001")))
    assert_problem(err, "use_cases.csv", "line 3", "use_case_id", "UC-001")
    assert "duplicate use_case_id" in str(err)


@pytest.mark.parametrize(
    "table,line,column,value",
    [
        ("use_cases", 3, "status", "running"),
        ("use_cases", 2, "goal", "fun"),
        ("survey", 3, "role", "boss"),
        ("survey", 2, "ai_use_frequency", "sometimes"),
        ("survey", 3, "ai_skill_level", "guru"),
    ],
)
def test_unknown_labels(tmp_path, table, line, column, value):
    texts = {"use_cases": USE_CASES, "survey": SURVEY}
    texts[table] = replace_cell(texts[table], line, column, value)
    err = problems_of(write(tmp_path, texts["use_cases"], survey=texts["survey"]))
    assert_problem(err, f"{table}.csv", f"line {line}", column, value)
    assert "value not in {" in str(err)


def test_unknown_likert_label(tmp_path):
    err = problems_of(write(tmp_path, survey=replace_cell(SURVEY, 2, "comp_change_2", "best ever")))
    assert_problem(err, "survey.csv", "line 2", "comp_change_2", "best ever")
    assert "unknown Likert label" in str(err)


@pytest.mark.parametrize("column,value", [("impact", "6"), ("effort", "0"), ("urgency", "5,5")])
def test_score_outside_range(tmp_path, column, value):
    err = problems_of(write(tmp_path, replace_cell(USE_CASES, 3, column, f'"{value}"')))
    assert_problem(err, "use_cases.csv", "line 3", column, value)
    assert "score outside 1-5" in str(err)


def test_survey_answer_outside_range(tmp_path):
    err = problems_of(write(tmp_path, survey=replace_cell(SURVEY, 2, "comp_change_1", "7")))
    assert_problem(err, "survey.csv", "line 2", "comp_change_1", "7")


def test_negative_investment(tmp_path):
    err = problems_of(write(tmp_path, replace_cell(USE_CASES, 3, "investment_eur", "-500")))
    assert_problem(err, "use_cases.csv", "line 3", "investment_eur", "-500")
    assert "negative" in str(err)


@pytest.mark.parametrize("column", ["decision_date", "first_impact_date"])
def test_date_before_start(tmp_path, column):
    err = problems_of(write(tmp_path, replace_cell(USE_CASES, 2, column, "2024-12-31")))
    assert_problem(err, "use_cases.csv", "line 2", column, "2024-12-31")
    assert f"{column} is before start_date" in str(err)


def test_team_under_two_departments(tmp_path):
    uc = USE_CASES + "UC-004,Extra,Legal,Control,personal,pilot,,3,3,3,3,2025-02-01,,,100,\n"
    err = problems_of(write(tmp_path, uc))
    assert_problem(
        err, "use_cases.csv", "line 5", "team", "Control under 'Legal'; elsewhere under 'Finance'"
    )


def test_team_under_other_department_in_survey(tmp_path):
    survey = SURVEY.replace("0043,2025-03,HR,Recruitment", "0043,2025-03,Legal,Recruitment")
    err = problems_of(write(tmp_path, survey=survey))
    assert "Recruitment under 'HR'; in survey.csv under 'Legal'" in str(err)


@pytest.mark.parametrize("value", ["2025-13", "March", "13-2025x"])
def test_unparseable_wave(tmp_path, value):
    err = problems_of(write(tmp_path, survey=replace_cell(SURVEY, 3, "wave", value)))
    assert_problem(err, "survey.csv", "line 3", "wave", value)
    assert "not a month or date" in str(err)
    assert "required value is empty" not in str(err)  # reported once, not twice


def test_unparseable_date(tmp_path):
    err = problems_of(write(tmp_path, replace_cell(USE_CASES, 3, "start_date", "31-02-2025")))
    assert_problem(err, "use_cases.csv", "line 3", "start_date", "31-02-2025")


@pytest.mark.parametrize("content", ["", "use_case_id,title\n", "\n\n"])
def test_empty_file(tmp_path, content):
    err = problems_of(write(tmp_path, content))
    assert "use_cases.csv" in str(err) and "the file is empty" in str(err)


def test_missing_file(tmp_path):
    err = problems_of(write(tmp_path, processes=None))
    assert "missing file" in str(err) and "processes.csv" in str(err)


def test_two_files_for_one_table(tmp_path):
    write(tmp_path)
    pd.read_csv(tmp_path / "processes.csv").to_parquet(tmp_path / "processes.parquet")
    err = problems_of(tmp_path)
    assert "more than one file for table 'processes'" in str(err)


def test_duplicate_respondent_in_wave(tmp_path):
    survey = SURVEY + "0042,2025-03,Finance,Control,leader,daily,user,true,3,4,5,4,\n"
    err = problems_of(write(tmp_path, survey=survey))
    assert_problem(err, "survey.csv", "line 4", "respondent_id, wave", "0042 / 2025-03")


def test_blank_lines_keep_line_numbers(tmp_path):
    uc = USE_CASES.replace("UC-002", "\nUC-002")  # a blank line 3
    uc = replace_cell(uc, 5, "status", "bogus")
    err = problems_of(write(tmp_path, uc))
    assert_problem(err, "use_cases.csv", "line 5", "status", "bogus")


def test_quoted_newline_keeps_line_numbers(tmp_path):
    uc = USE_CASES.replace("Chat assistant", '"Chat\nassistant"')
    uc = uc.replace("strategic,idea", "strategic,bogus")
    err = problems_of(write(tmp_path, uc))
    assert_problem(err, "use_cases.csv", "line 5", "status", "bogus")


def test_all_problems_at_once_across_files(tmp_path):
    uc = replace_cell(USE_CASES, 2, "impact", "9")
    uc = replace_cell(uc, 3, "status", "running")
    survey = replace_cell(SURVEY, 2, "role", "boss")
    err = problems_of(write(tmp_path, uc, survey=survey))
    assert len(err.problems) == 3
    assert set(err.files) == {"use_cases.csv", "survey.csv"}


def test_per_table_loaders(tmp_path):
    write(tmp_path)
    assert len(load_use_cases(tmp_path / "use_cases.csv")) == 3
    assert len(load_survey(tmp_path)) == 2
    with pytest.raises(DataValidationError, match="missing file"):
        load_use_cases(tmp_path / "nope.csv")


def test_bad_codebook(tmp_path):
    bad = tmp_path / "cb.yaml"
    bad.write_text("scales:\n  competency:\n    charisma: {pattern: 'x'}\n")
    with pytest.raises(DataValidationError, match="unknown competency key 'charisma'"):
        load_codebook(bad)


def test_default_codebook_follows_metrics_names():
    cb = load_codebook()
    items = cb.match_items(["comp_ethics_1", "culture_transparency_2", "pillar_human_1", "other"])
    assert set(items) == {"comp_ethics", "culture_transparency", "pillar_human"}
    assert aiadopt.load_codebook().likert["helemaal mee oneens"] == 1.0


# -- command line ------------------------------------------------------------


def test_cli_bad_input_exit_2_no_traceback_no_output(tmp_path, capsys):
    write(tmp_path, replace_cell(USE_CASES, 3, "status", "running"))
    out = tmp_path / "out" / "kpis.csv"
    code = main(
        [
            "kpis",
            "--data",
            str(tmp_path),
            "--period",
            "2025-03",
            "--format",
            "csv",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert "use_cases.csv, column 'status'" in captured.err and "line 3 'running'" in captured.err
    assert not out.exists()
    assert captured.out == ""
