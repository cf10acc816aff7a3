"""Survey-tool exports (aiadopt.io.exports): Qualtrics, Microsoft Forms and
LimeSurvey read as the survey, with the same KPIs as aiadopt's own CSV,
previews/spam/unfinished left out and counted, personal data nowhere."""

from __future__ import annotations

import csv
import io
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from aiadopt import DataValidationError, load, load_codebook
from aiadopt.cli import SURVEY_FORMATS, main
from aiadopt.io._read import read_raw
from aiadopt.io.exports import FORMAT_NAMES, recognise
from aiadopt.kpis import compute_kpis

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "exports"
EXAMPLES = ROOT / "docs" / "examples"

#: name -> (fixture folder, file, mapping file or None, left out by reason)
EXPORTS = {
    "qualtrics": (
        "qualtrics",
        "survey.csv",
        EXAMPLES / "mapping-qualtrics.yaml",
        {"preview": 2, "spam": 1, "unfinished": 3},
    ),
    "qualtrics-legacy": (
        "qualtrics-legacy",
        "survey.tsv",
        None,
        {"preview": 2, "spam": 1, "unfinished": 3},
    ),
    "msforms": ("msforms", "survey.xlsx", EXAMPLES / "mapping-msforms.yaml", {}),
    "limesurvey": (
        "limesurvey",
        "survey.csv",
        EXAMPLES / "mapping-limesurvey.yaml",
        {"unfinished": 3},
    ),
}
#: The personal-data columns of each fixture (legacy Qualtrics: by its V ids).
PERSONAL = {
    "qualtrics": (
        "IPAddress",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "ExternalReference",
        "LocationLatitude",
        "LocationLongitude",
    ),
    "qualtrics-legacy": ("V3", "V4", "V5", "V6", "LocationLatitude", "LocationLongitude"),
    "msforms": ("Email", "Name"),
    "limesurvey": ("token", "ipaddr", "refurl"),
}


def data_folder(tmp_path: Path, export: str, text_edit=None) -> Path:
    """The fixture organisation with ``export`` as its survey file."""
    folder, name, _, _ = EXPORTS[export]
    out = tmp_path / export
    out.mkdir()
    for table in ("use_cases.csv", "processes.csv"):
        shutil.copy(FIXTURES / "organisation" / table, out / table)
    shutil.copy(FIXTURES / folder / name, out / name)
    return out


def export_frame(export: str) -> pd.DataFrame:
    """The fixture export as plain text cells, header = the tool's first row."""
    folder, name, _, _ = EXPORTS[export]
    path = FIXTURES / folder / name
    if name.endswith(".xlsx"):
        return pd.read_excel(path, dtype=str)
    encoding = "utf-16" if name.endswith(".tsv") else "utf-8-sig"
    return pd.read_csv(
        path, dtype=str, sep="\t" if name.endswith(".tsv") else ",", encoding=encoding
    )


def personal_values(export: str) -> set[str]:
    frame = export_frame(export)
    values = set()
    for column in PERSONAL[export]:
        values.update(v for v in frame[column].dropna() if v.strip())
    # The header rows' texts ("IP Address") and Forms' "anonymous" are not personal.
    values -= {"anonymous", "Name", "EmailAddress", "IPAddress", "ExternalDataReference"}
    values -= {v for v in values if v.startswith(("Location", "Recipient", "IP ", "External"))}
    return values


@pytest.fixture(scope="module")
def csv_data():
    return load(FIXTURES / "organisation")


@pytest.mark.parametrize("export", list(EXPORTS))
def test_kpis_equal_to_the_plain_csv(tmp_path, csv_data, export):
    _, _, mapping, _ = EXPORTS[export]
    data = load(data_folder(tmp_path, export), mapping=mapping)
    for period in ("2026-10", "latest"):
        pd.testing.assert_frame_equal(
            compute_kpis(data, period=period), compute_kpis(csv_data, period=period)
        )
    # The answers themselves are the same, row for row.
    pd.testing.assert_frame_equal(
        data.survey.drop(columns="respondent_id").reset_index(drop=True),
        csv_data.survey.drop(columns="respondent_id").reset_index(drop=True),
    )
    assert data.items == csv_data.items


@pytest.mark.parametrize("export", list(EXPORTS))
def test_previews_spam_and_unfinished_left_out_and_counted(tmp_path, export):
    _, name, mapping, left_out = EXPORTS[export]
    data = load(data_folder(tmp_path, export), mapping=mapping)
    notes = {w.code: w.value for w in data.warnings if w.code and w.code.startswith("export_")}
    assert notes == {f"export_{reason}": n for reason, n in left_out.items()}
    assert all(w.file == name for w in data.warnings if w.code in notes)
    assert len(data.survey) == 312


def test_left_out_counts_shown_by_the_cli(tmp_path, capsys):
    folder = data_folder(tmp_path, "qualtrics")
    mapping = str(EXAMPLES / "mapping-qualtrics.yaml")
    assert main(["kpis", "--data", str(folder), "--mapping", mapping, "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert "survey.csv, column 'Status': 2: responses left out as survey previews or tests" in err
    assert "survey.csv, column 'Status': 1: responses left out as spam" in err
    assert "survey.csv, column 'Finished': 3: responses left out as unfinished" in err


@pytest.mark.parametrize(
    ("export", "tool"),
    [
        ("qualtrics", "qualtrics"),
        ("qualtrics-legacy", "qualtrics"),
        ("msforms", "msforms"),
        ("limesurvey", "limesurvey"),
    ],
)
def test_export_recognised_from_its_header(export, tool):
    folder, name, _, _ = EXPORTS[export]
    assert recognise(read_raw(FIXTURES / folder / name, "survey", survey_tool=True)) == tool


def test_aiadopt_survey_recognised_as_itself():
    raw = read_raw(FIXTURES / "organisation" / "survey.csv", "survey", survey_tool=True)
    assert recognise(raw) == "aiadopt"


@pytest.mark.parametrize("export", list(EXPORTS))
def test_personal_data_appears_nowhere(tmp_path, capsys, export):
    _, name, mapping, _ = EXPORTS[export]
    secrets = personal_values(export)
    assert len(secrets) > 100  # the fixture holds them: the test can fail
    folder = data_folder(tmp_path, export)
    data = load(folder, mapping=mapping)
    shown = [repr(data), pickle.dumps(data).decode("latin-1"), " ".join(map(str, data.warnings))]
    shown.append(" ".join(data.dropped_columns))
    shown.append(data.survey.astype(str).to_csv())
    args = ["kpis", "--data", str(folder), "--format", "csv"]
    args += ["--mapping", str(mapping)] if mapping else []
    assert main(args) == 0
    out = capsys.readouterr()
    shown += [out.out, out.err]
    # An error in the export: the message shows the bad answer, nothing personal.
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    _break_first_answer(broken / name, export)
    with pytest.raises(DataValidationError) as info:
        load(broken, mapping=mapping)
    shown.append(str(info.value))
    assert "Misschien" in shown[-1]
    leaks = {s for s in secrets for text in shown if s in text}
    assert not leaks


def _break_first_answer(path: Path, export: str) -> None:
    """Write 'Misschien' as the first response's answer to comp_change_1."""
    if export == "msforms":
        wb = load_workbook(path)
        ws = wb.active
        header = [c.value for c in ws[1]]
        ws.cell(row=2, column=header.index("Competentie change: stelling 1") + 1, value="Misschien")
        wb.save(path)
        return
    encoding = "utf-16" if export == "qualtrics-legacy" else "utf-8-sig"
    delimiter = "\t" if export == "qualtrics-legacy" else ","
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))
    column = {
        "qualtrics": "Q8_10",
        "qualtrics-legacy": "comp_change_1",
        "limesurvey": "COMP[SQ010]",
    }[export]
    first = {"qualtrics": 3, "qualtrics-legacy": 2, "limesurvey": 1}[export]
    rows[first][rows[0].index(column)] = "Misschien"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


@pytest.mark.parametrize(
    ("export", "where"),
    [
        # The first response: line 4 under Qualtrics' 3 header rows, line 3
        # under the legacy 2, line 2 in LimeSurvey, row 2 in Forms.
        (
            "qualtrics",
            "survey.csv, column 'Q8_10 (aiadopt: comp_change_1)': unknown Likert label (line 4 'Misschien')",
        ),
        (
            "qualtrics-legacy",
            "survey.tsv, column 'comp_change_1': unknown Likert label (line 3 'Misschien')",
        ),
        (
            "limesurvey",
            "survey.csv, column 'COMP[SQ010] (aiadopt: comp_change_1)': unknown Likert label (line 2 'Misschien')",
        ),
        (
            "msforms",
            "survey.xlsx, column 'Competentie change: stelling 1 (aiadopt: comp_change_1)': unknown Likert label (row 2 'Misschien')",
        ),
    ],
)
def test_bad_answer_names_line_tool_column_aiadopt_column_and_fix(tmp_path, export, where):
    _, name, mapping, _ = EXPORTS[export]
    folder = data_folder(tmp_path, export)
    _break_first_answer(folder / name, export)
    with pytest.raises(DataValidationError) as info:
        load(folder, mapping=mapping)
    message = str(info.value)
    assert where in message
    assert "section 'likert'" in message


def test_qualtrics_tsv_in_utf8_is_read_too(tmp_path, csv_data):
    folder = data_folder(tmp_path, "qualtrics-legacy")
    tsv = folder / "survey.tsv"
    tsv.write_bytes(tsv.read_bytes().decode("utf-16").encode("utf-8"))
    data = load(folder)
    pd.testing.assert_frame_equal(
        compute_kpis(data, period="2026-10"), compute_kpis(csv_data, period="2026-10")
    )


def test_utf16_is_still_refused_outside_the_survey(tmp_path):
    folder = data_folder(tmp_path, "qualtrics-legacy")
    processes = folder / "processes.csv"
    processes.write_bytes(processes.read_text("utf-8").encode("utf-16"))
    with pytest.raises(DataValidationError, match="processes.csv: the file contains NUL bytes"):
        load(folder)


def test_named_format_that_does_not_fit_is_an_error(tmp_path):
    folder = data_folder(tmp_path, "qualtrics")
    with pytest.raises(DataValidationError) as info:
        load(folder, survey_format="limesurvey")
    assert (
        "survey.csv: the file is not a LimeSurvey export (its header is that of a Qualtrics export). "
        "Pass --survey-format qualtrics or auto." in str(info.value)
    )


def test_unknown_format_name_is_an_error(tmp_path, capsys):
    folder = data_folder(tmp_path, "qualtrics")
    with pytest.raises(
        ValueError, match="unknown survey format 'spss'; expected one of auto, aiadopt"
    ):
        load(folder, survey_format="spss")
    with pytest.raises(SystemExit) as info:
        main(["kpis", "--data", str(folder), "--survey-format", "spss"])
    assert info.value.code == 2
    assert "invalid choice: 'spss'" in capsys.readouterr().err


def test_cli_formats_are_the_library_formats():
    assert SURVEY_FORMATS == FORMAT_NAMES


def test_mapping_for_another_tool_is_refused(tmp_path):
    folder = data_folder(tmp_path, "limesurvey")
    with pytest.raises(DataValidationError) as info:
        load(folder, mapping=EXAMPLES / "mapping-qualtrics.yaml")
    assert (
        "- mapping-qualtrics.yaml: key format: the mapping file is for Qualtrics exports, "
        "survey.csv is read as a LimeSurvey export ('qualtrics')." in str(info.value)
    )


def test_mapping_problems_all_at_once_with_line_and_key(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "version: 1\n"  # line 1
        "formaat: qualtrics\n"  # 2: unknown key
        "wave: 2026-13\n"  # 3: not a month
        "columns:\n"  # 4
        "  Q1: afdeling\n"  # 5: not an aiadopt column
        "  Q2: team\n"  # 6
        "  Q2: role\n"  # 7: duplicate key
        "  Q3: team\n"  # 8: team twice
        "likert:\n"  # 9
        "  7: [Top]\n"  # 10: score outside 1-5
        "answers:\n"  # 11
        "  ai_use_frequency: {1: sometimes}\n",  # 12: not a frequency
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        load(data_folder(tmp_path, "qualtrics"), mapping=mapping)
    message = str(info.value)
    for expected in (
        "- mapping.yaml: key formaat: unknown key (line 2 'formaat'). Use only version, format,",
        "- mapping.yaml: key wave: not a month (line 3 '2026-13'). Write the wave as YYYY-MM",
        "- mapping.yaml: key columns.Q1: 'afdeling' is not one of aiadopt's survey columns (line 5 'afdeling')",
        "- mapping.yaml: key columns.Q2: appears twice (also on line 6) (line 7). Keep one",
        "- mapping.yaml: key columns.Q3: maps onto 'team', as 'Q2' on line 6 does (line 8 'Q3')",
        "- mapping.yaml: key likert.7: a Likert score is a number from 1 to 5 (line 10 '7')",
        "- mapping.yaml: key answers.ai_use_frequency.1: not a value of ai_use_frequency (line 12 'sometimes'). "
        "Use one of never, monthly, weekly, daily",
    ):
        assert expected in message
    assert len(info.value.problems) == 7


def test_mapping_key_naming_no_column_or_personal_data(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    text = (EXAMPLES / "mapping-qualtrics.yaml").read_text("utf-8")
    text = text.replace("  Q2: team\n", "  Q22: team\n").replace(
        "  Q3: role\n", "  Q3: role\n  RecipientEmail: respondent_id\n"
    )
    mapping.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    q22 = lines.index("  Q22: team") + 1
    email = lines.index("  RecipientEmail: respondent_id") + 1
    with pytest.raises(DataValidationError) as info:
        load(data_folder(tmp_path, "qualtrics"), mapping=mapping)
    message = str(info.value)
    assert (
        f"- mapping.yaml: key columns.Q22: no column of survey.csv has this id or question text (line {q22} 'Q22')"
        in message
    )
    assert (
        "- mapping.yaml: key columns.RecipientEmail: the column holds personal data, which aiadopt drops "
        f"when it reads the export (line {email} 'RecipientEmail')" in message
    )
    assert len(info.value.problems) == 2


def test_export_without_mapping_names_the_mapping_file_in_the_fix(tmp_path):
    with pytest.raises(DataValidationError) as info:
        load(data_folder(tmp_path, "limesurvey"))
    message = str(info.value)
    assert (
        "required column 'department' is missing. Map the tool's question onto it in a mapping file (--mapping), section 'columns'."
        in message
    )
    assert (
        "required column 'wave' is missing. Map the tool's question onto it in a mapping file (--mapping), section 'columns' (or give every response one wave with 'wave: YYYY-MM')."
        in message
    )


def _forms_with(tmp_path, answer: str) -> Path:
    folder = data_folder(tmp_path, "msforms")
    wb = load_workbook(folder / "survey.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.cell(
        row=3, column=header.index("Hoe vaak gebruik je AI-tools in je werk?") + 1, value=answer
    )
    wb.save(folder / "survey.xlsx")
    return folder


def test_forms_multi_select_of_one_choice_is_that_choice(tmp_path):
    data = load(_forms_with(tmp_path, "Elke dag;"), mapping=EXAMPLES / "mapping-msforms.yaml")
    assert data.survey["ai_use_frequency"].iloc[1] == "daily"


def test_forms_multi_select_of_several_choices_is_an_error(tmp_path):
    with pytest.raises(DataValidationError) as info:
        load(_forms_with(tmp_path, "Elke dag;Nooit;"), mapping=EXAMPLES / "mapping-msforms.yaml")
    assert (
        "survey.xlsx, column 'Hoe vaak gebruik je AI-tools in je werk? (aiadopt: ai_use_frequency)': "
        "a multi-select answer with more than one choice; aiadopt's column takes one (row 3 'Elke dag;Nooit;')"
        in str(info.value)
    )


def test_mapping_extends_the_codebook(tmp_path):
    # Without the mapping's likert line, "Niet eens, niet oneens" is unknown.
    mapping = tmp_path / "mapping.yaml"
    text = (EXAMPLES / "mapping-qualtrics.yaml").read_text("utf-8")
    mapping.write_text(text.replace('  3: ["Niet eens, niet oneens"]\n', ""), encoding="utf-8")
    with pytest.raises(DataValidationError, match="unknown Likert label"):
        load(data_folder(tmp_path, "qualtrics"), mapping=mapping)
    cb = load_codebook()
    extended = cb.extended(
        likert={"Niet eens, niet oneens": 3}, values={"role": {"Baas": "leader"}}
    )
    assert extended.likert["niet eens, niet oneens"] == 3.0
    assert extended.likert["helemaal mee eens"] == 5.0  # the codebook's own labels stay
    assert extended.category_map("role")["baas"] == "leader"
    assert "niet eens, niet oneens" not in cb.likert


@pytest.mark.parametrize("export", list(EXPORTS))
def test_personal_columns_gone_before_conversion(export):
    """What the survey converter gets holds no personal data, and the file's
    text (which does) is not kept for later error messages."""
    from aiadopt.io.exports import load_mapping, prepare_survey

    folder, name, mapping, _ = EXPORTS[export]
    cb = load_codebook()
    raw = read_raw(FIXTURES / folder / name, "survey", survey_tool=True)
    prepared = prepare_survey(
        raw, mapping=load_mapping(mapping, codebook=cb) if mapping else None, codebook=cb
    )
    cells = set(prepared.raw.frame.astype(str).to_numpy().ravel())
    assert not cells & personal_values(export)
    assert prepared.raw._text is None and not prepared.raw._text_on_demand
    assert not {c.lower() for c in prepared.raw.frame.columns} & {
        c.lower() for c in PERSONAL[export]
    }


def test_aiadopt_survey_keeps_its_own_fixes(tmp_path):
    """Only an export's messages point at a mapping file."""
    folder = tmp_path / "org"
    shutil.copytree(FIXTURES / "organisation", folder)
    survey = folder / "survey.csv"
    survey.write_text(survey.read_text("utf-8").replace(",team,", ",teams,", 1), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load(folder)
    message = str(info.value)
    assert "required column 'team' is missing. Add the column" in message
    assert "Did you mean 'teams'? Rename it to 'team'." in message
    assert "mapping" not in message


def test_qualtrics_numeric_values_recoded_by_the_mapping(tmp_path, csv_data):
    """ "Use numeric values": choice codes instead of choice texts, recoded
    by the mapping's 'answers'."""
    folder = data_folder(tmp_path, "qualtrics")
    survey = folder / "survey.csv"
    rows = list(csv.reader(io.StringIO(survey.read_text("utf-8-sig"))))
    role, training = rows[0].index("Q3"), rows[0].index("Q6")
    codes = {"Leidinggevende": "1", "Medewerker": "2", "Ja": "1", "Nee": "2"}
    for row in rows[3:]:
        row[role], row[training] = codes[row[role]], codes.get(row[training], "")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8-sig")
    mapping = tmp_path / "mapping.yaml"
    text = (EXAMPLES / "mapping-qualtrics.yaml").read_text("utf-8")
    text = text.replace(
        "  ai_training_done: {Ja: true, Nee: false}\n",
        "  ai_training_done: {1: true, 2: false}\n  role: {1: leader, 2: employee}\n",
    )
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match="value not in {leader, employee}"):
        load(folder, mapping=EXAMPLES / "mapping-qualtrics.yaml")
    data = load(folder, mapping=mapping)
    pd.testing.assert_frame_equal(
        compute_kpis(data, period="2026-10"), compute_kpis(csv_data, period="2026-10")
    )


def test_limesurvey_full_text_metadata_headings(tmp_path, csv_data):
    """LimeSurvey's "Full question text" headings name the metadata in words;
    they are recognised, left out and dropped the same way."""
    folder = data_folder(tmp_path, "limesurvey")
    survey = folder / "survey.csv"
    words = {
        "id": "Response ID",
        "submitdate": "Date submitted",
        "lastpage": "Last page",
        "startlanguage": "Start language",
        "seed": "Seed",
        "token": "Token",
        "ipaddr": "IP address",
        "refurl": "Referrer URL",
        "startdate": "Date started",
        "datestamp": "Date last action",
    }
    rows = list(csv.reader(io.StringIO(survey.read_text("utf-8"))))
    rows[0] = [words.get(c, c) for c in rows[0]]
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8")
    data = load(folder, mapping=EXAMPLES / "mapping-limesurvey.yaml")
    assert {w.code: w.value for w in data.warnings} == {"export_unfinished": 3}
    assert [w.column for w in data.warnings] == ["Date submitted"]
    pd.testing.assert_frame_equal(
        compute_kpis(data, period="2026-10"), compute_kpis(csv_data, period="2026-10")
    )
    assert not set(data.survey.astype(str).to_numpy().ravel()) & personal_values("limesurvey")


def test_mapping_yaml_syntax_error_names_its_line(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("version: 1\ncolumns:\n  Q1: department\n   Q2: team\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load(data_folder(tmp_path, "qualtrics"), mapping=mapping)
    assert "- mapping.yaml: not valid YAML (mapping values are not allowed here) (line 4)." in str(
        info.value
    )


def test_fixtures_are_what_the_script_makes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(made) == 7
    for path in made:
        assert (tmp_path / path).read_bytes() == (FIXTURES / path).read_bytes(), path


def _qualtrics_mapping(tmp_path, extra: str) -> Path:
    mapping = tmp_path / "mapping.yaml"
    text = (EXAMPLES / "mapping-qualtrics.yaml").read_text("utf-8")
    mapping.write_text(text + extra, encoding="utf-8")
    return mapping


def test_mapping_names_more_personal_columns(tmp_path):
    folder = data_folder(tmp_path, "qualtrics")
    assert load(folder, mapping=EXAMPLES / "mapping-qualtrics.yaml").dropped_columns == ("Q11",)
    # Q11 by its question text: dropped as personal data, as the file is read.
    mapping = _qualtrics_mapping(tmp_path, 'personal: ["Wil je nog iets kwijt?"]\n')
    assert load(folder, mapping=mapping).dropped_columns == ()
    mapping = _qualtrics_mapping(tmp_path, "personal: [Q99]\n")
    with pytest.raises(DataValidationError, match=r"key personal\.Q99: no column of survey\.csv"):
        load(folder, mapping=mapping)


def test_wave_given_twice_is_an_error(tmp_path):
    mapping = _qualtrics_mapping(tmp_path, "wave: 2026-10\n")
    with pytest.raises(DataValidationError) as info:
        load(data_folder(tmp_path, "qualtrics"), mapping=mapping)
    assert "- mapping.yaml: key wave: the export has a wave column already (wave)." in str(
        info.value
    )
