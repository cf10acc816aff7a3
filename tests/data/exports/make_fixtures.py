"""Make the survey-tool export fixtures of tests/test_exports.py.

One small organisation, taken from ``data/sample`` (departments Finance, HR
and Legal, survey wave 2026-10), written as aiadopt's own CSV files
(``organisation/``) and as the survey exports of four tools, each holding
the same answers plus the tool's metadata, personal data (made up:
documentation IP addresses, example.org e-mail addresses) and rows that
must be left out (previews, spam, unfinished responses):

- ``qualtrics/survey.csv``: Qualtrics, current format (3 header rows),
  Dutch choice texts, question ids Q1..Q10_8, read with
  ``docs/examples/mapping-qualtrics.yaml``;
- ``qualtrics-legacy/survey.tsv``: Qualtrics, legacy format (V1..V10 and
  2 header rows), UTF-16 TSV, English choice texts, question ids that are
  aiadopt's column names (no mapping);
- ``msforms/survey.xlsx``: Microsoft Forms, question texts as headers,
  read with ``docs/examples/mapping-msforms.yaml``;
- ``limesurvey/survey.csv``: LimeSurvey, question codes and answer codes
  (``COMP[SQ001]``, ``A1``), read with ``docs/examples/mapping-limesurvey.yaml``.

Run from the repository root: ``python tests/data/exports/make_fixtures.py``.
The output is committed; this script is how it was made.

It also exports any organisation of aiadopt's own CSV files as one tool's
survey export, to try that route (docs/survey-exports.md, "Try it on the
sample")::

    python tests/data/exports/make_fixtures.py --sample data/sample --tool qualtrics --out /tmp/org

writes ``/tmp/org/`` with ``use_cases.csv``, ``processes.csv``, the export
(``survey.csv``; Forms: ``survey.xlsx``) and ``mapping.yaml``, the mapping
file to read it with. A survey of several waves gets the wave as a question
(Qualtrics: its embedded-data field ``wave``; Forms: "Enquêteronde (JJJJ-MM)";
LimeSurvey: a hidden question ``RONDE``), mapped in ``mapping.yaml``; the
LimeSurvey export is that of a closed survey, with the participants' names
and e-mail addresses next to their tokens.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
DEPARTMENTS = ("Finance", "HR", "Legal")
WAVE = "2026-10"

STANDARD = (
    "department",
    "team",
    "role",
    "ai_use_frequency",
    "ai_skill_level",
    "ai_training_done",
    "team_phase",
)
LIKERT_NL = {
    1: "Helemaal mee oneens",
    2: "Mee oneens",
    3: "Niet eens, niet oneens",
    4: "Mee eens",
    5: "Helemaal mee eens",
}
LIKERT_EN = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
ROLE_NL = {"leader": "Leidinggevende", "employee": "Medewerker"}
FREQ_NL = {"never": "Nooit", "monthly": "Maandelijks", "weekly": "Wekelijks", "daily": "Dagelijks"}
FREQ_FORMS = {
    "never": "Nooit",
    "monthly": "Een paar keer per maand",
    "weekly": "Een paar keer per week",
    "daily": "Elke dag",
}
SKILL_NL = {"user": "AI-gebruiker", "connector": "AI-verbinder", "specialist": "AI-specialist"}
PHASE_NL = {1: "Onwetend", 2: "Afwachtend", 3: "Proberend", 4: "Lerend", 5: "Doorgevoerd"}
FIRST = ("Anna", "Bram", "Chantal", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Ivo", "Joost")
LAST = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder")

# Question texts of the survey as the tools show them (Dutch).
TEXTS = {
    "department": "Bij welke afdeling werk je?",
    "team": "In welk team werk je?",
    "role": "Wat is je rol?",
    "ai_use_frequency": "Hoe vaak gebruik je AI-tools in je werk?",
    "ai_skill_level": "Welk AI-niveau past het best bij jou?",
    "ai_training_done": "Heb je de AI-training gevolgd?",
    "team_phase": "In welke fase van AI-gebruik zit je team?",
}
FAMILIES = (("comp", "Competenties", 8), ("culture", "Cultuur", 9), ("pillar", "Pijlers", 10))
#: The wave question of a Forms or LimeSurvey export of several waves
#: (``wave_question=True``): Forms asks it, LimeSurvey fills a hidden question.
FORMS_WAVE = "Enquêteronde (JJJJ-MM)"
LIME_WAVE = "RONDE"


def organisation() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sample = ROOT / "data" / "sample"
    use_cases = pd.read_csv(sample / "use_cases.csv", dtype=str, keep_default_na=False)
    processes = pd.read_csv(sample / "processes.csv", dtype=str, keep_default_na=False)
    survey = pd.read_csv(sample / "survey.csv", dtype=str, keep_default_na=False)
    use_cases = use_cases[use_cases["department"].isin(DEPARTMENTS)]
    processes = processes[processes["department"].isin(DEPARTMENTS)]
    survey = survey[survey["department"].isin(DEPARTMENTS) & (survey["wave"] == WAVE)]
    return use_cases, processes, survey.reset_index(drop=True)


def items(survey: pd.DataFrame) -> list[str]:
    return [c for c in survey.columns if c.startswith(("comp_", "culture_", "pillar_"))]


def statement(item: str) -> str:
    """The statement text of an item (``comp_change_2`` -> a Dutch sentence)."""
    family, *key, n = item.split("_")
    title = {"comp": "Competentie", "culture": "Cultuur", "pillar": "Pijler"}[family]
    return f"{title} {'_'.join(key)}: stelling {n}"


def tool_ids(survey: pd.DataFrame) -> dict[str, str]:
    """aiadopt column -> Qualtrics question id (Q1..Q7, matrices Q8_n, Q9_n, Q10_n)."""
    ids = {name: f"Q{n}" for n, name in enumerate(STANDARD, start=1)}
    for prefix, _title, q in FAMILIES:
        cols = [c for c in items(survey) if c.startswith(prefix + "_")]
        ids.update({c: f"Q{q}_{n}" for n, c in enumerate(cols, start=1)})
    return ids


def person(rng: np.random.Generator, i: int) -> dict[str, str]:
    first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
    return {
        "first": first,
        "last": last,
        "email": f"{first.lower()}.{last.lower().replace(' ', '')}{i}@example.org",
        "ip": f"192.0.2.{10 + i % 240}",
        "lat": f"52.{3676012 + i:07d}",
        "lon": f"4.{9041321 + i:07d}",
        "ref": f"EMP-{10234 + i}",
        "token": f"tk{i:04d}Qx",
    }


def timestamps(rng: np.random.Generator, i: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(2026, 10, 5, 8, 0) + dt.timedelta(minutes=int(37 * i + rng.integers(0, 30)))
    return start, start + dt.timedelta(seconds=int(rng.integers(240, 900)))


def extra_rows(survey: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """Rows that must be left out: (reason, answers), copies of real rows."""
    picks = [
        ("preview", 0),
        ("preview", 1),
        ("spam", 2),
        ("unfinished", 3),
        ("unfinished", 4),
        ("unfinished", 5),
    ]
    out = []
    for reason, pos in picks:
        row = survey.iloc[pos * 7].copy()
        if reason == "unfinished":
            for col in items(survey)[10:]:
                row[col] = ""
        out.append((reason, row))
    return out


def mixed(survey: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """The export's rows: every response, with the left-out ones in between."""
    rows = [("ok", r) for _, r in survey.iterrows()]
    for k, extra in enumerate(extra_rows(survey)):
        rows.insert(3 + 40 * k, extra)
    return rows


def qualtrics_current(survey: pd.DataFrame, base: Path = HERE) -> None:
    write_qualtrics(survey, base / "qualtrics" / "survey.csv")


def write_qualtrics(survey: pd.DataFrame, path: Path, *, wave_question: bool = False) -> None:
    """A Qualtrics export (current format, 3 header rows) of ``survey`` as ``path``.

    Each response's wave is the embedded-data field ``wave`` (so
    ``wave_question`` changes nothing: the field is always there).
    """
    rng = np.random.default_rng(1)
    ids = tool_ids(survey)
    meta = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Amsterdam"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Amsterdam"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        (
            "RecordedDate",
            "Recorded Date",
            '{"ImportId":"recordedDate","timeZone":"Europe/Amsterdam"}',
        ),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
        ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
        ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
        ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
        ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
        ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
        ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
        ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
    ]
    questions = []
    for name in STANDARD:
        q = ids[name]
        questions.append(
            (q, TEXTS[name], json.dumps({"ImportId": "QID" + q[1:]}, separators=(",", ":")))
        )
    for prefix, title, _q in FAMILIES:
        for item in [c for c in items(survey) if c.startswith(prefix + "_")]:
            q = ids[item]
            questions.append(
                (
                    q,
                    f"{title} - {statement(item)}",
                    json.dumps({"ImportId": "QID" + q[1:]}, separators=(",", ":")),
                )
            )
    questions.append(("Q11", "Wil je nog iets kwijt?", '{"ImportId":"QID11_TEXT"}'))
    questions.append(("wave", "wave", '{"ImportId":"wave"}'))
    columns = meta + questions
    lines = [[c[0] for c in columns], [c[1] for c in columns], [c[2] for c in columns]]
    for i, (reason, row) in enumerate(mixed(survey)):
        p = person(rng, i)
        start, end = timestamps(rng, i)
        status = {"preview": "Survey Preview", "spam": "Spam"}.get(reason, "IP Address")
        finished = "False" if reason == "unfinished" else "True"
        answers = {
            "Q1": row["department"],
            "Q2": row["team"],
            "Q3": ROLE_NL[row["role"]],
            "Q4": FREQ_NL.get(row["ai_use_frequency"], ""),
            "Q5": SKILL_NL.get(row["ai_skill_level"], ""),
            "Q6": {"true": "Ja", "false": "Nee"}.get(row["ai_training_done"], ""),
            "Q7": PHASE_NL[int(row["team_phase"])] if row["team_phase"] else "",
            "Q11": "Meer training graag" if i % 17 == 0 else "",
            "wave": row["wave"],
        }
        for item in items(survey):
            answers[ids[item]] = LIKERT_NL[int(row[item])] if row[item] else ""
        values = [
            start.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            status,
            p["ip"],
            "45" if reason == "unfinished" else "100",
            str(int((end - start).total_seconds())),
            finished,
            end.strftime("%Y-%m-%d %H:%M:%S"),
            f"R_{i:04d}{'abcdefghjk'[i % 10]}Xq7",
            p["last"],
            p["first"],
            p["email"],
            p["ref"],
            p["lat"],
            p["lon"],
            "preview" if reason == "preview" else "email",
            "NL",
        ]
        values += [answers[q[0]] for q in questions]
        lines.append(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(lines)


def qualtrics_legacy(survey: pd.DataFrame, base: Path = HERE) -> None:
    rng = np.random.default_rng(2)
    meta = [
        "ResponseID",
        "ResponseSet",
        "Name",
        "ExternalDataReference",
        "EmailAddress",
        "IPAddress",
        "Status",
        "StartDate",
        "EndDate",
        "Finished",
    ]
    questions = ["wave", *STANDARD, *items(survey)]
    texts = ["wave", *(TEXTS[n] for n in STANDARD), *(statement(c) for c in items(survey))]
    tail = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
    header = [f"V{n}" for n in range(1, 11)] + questions + tail
    lines = [header, meta + texts + tail]
    for i, (reason, row) in enumerate(mixed(survey)):
        p = person(rng, 500 + i)
        start, end = timestamps(rng, i)
        status = {"preview": "1", "spam": "8"}.get(reason, "0")
        values = [
            f"R_{i:04d}Lg{'abcdefghjk'[i % 10]}",
            "Default Response Set",
            f"{p['last']}, {p['first']}",
            p["ref"],
            p["email"],
            p["ip"],
            status,
            start.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            "0" if reason == "unfinished" else "1",
            row["wave"],
            row["department"],
            row["team"],
            row["role"],
            row["ai_use_frequency"],
            row["ai_skill_level"],
            {"true": "Yes", "false": "No"}.get(row["ai_training_done"], ""),
            row["team_phase"],
        ]
        values += [LIKERT_EN[int(row[c])] if row[c] else "" for c in items(survey)]
        values += [p["lat"], p["lon"], "-1"]
        lines.append(values)
    out = base / "qualtrics-legacy"
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(lines)
    (out / "survey.tsv").write_bytes(buffer.getvalue().encode("utf-16"))  # UTF-16 LE with BOM


def msforms(survey: pd.DataFrame, base: Path = HERE) -> None:
    write_msforms(survey, base / "msforms" / "survey.xlsx")


def write_msforms(survey: pd.DataFrame, path: Path, *, wave_question: bool = False) -> None:
    """A Microsoft Forms workbook of ``survey`` as ``path``; with
    ``wave_question``, a question :data:`FORMS_WAVE` holds each response's wave."""
    rng = np.random.default_rng(3)
    header = ["ID", "Start time", "Completion time", "Email", "Name"]
    header += [TEXTS[n] for n in STANDARD]
    header += [statement(c) for c in items(survey)]
    header += ["Welke AI-tools gebruik je?"]
    header += [FORMS_WAVE] if wave_question else []
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    tools = ("Copilot", "ChatGPT", "Gemini")
    for i, (reason, row) in enumerate(mixed(survey), start=1):
        if reason != "ok":
            continue  # Forms exports submitted responses only
        p = person(rng, 1000 + i)
        start, end = timestamps(rng, i)
        answers = [
            i,
            start,
            end,
            "anonymous" if i % 5 == 0 else p["email"],
            "" if i % 5 == 0 else f"{p['first']} {p['last']}",
            row["department"],
            row["team"],
            ROLE_NL[row["role"]],
            FREQ_FORMS.get(row["ai_use_frequency"], None),
            SKILL_NL.get(row["ai_skill_level"], None),
            {"true": "Ja", "false": "Nee"}.get(row["ai_training_done"], None),
            int(row["team_phase"]) if row["team_phase"] else None,
        ]
        answers += [LIKERT_EN[int(row[c])] if row[c] else None for c in items(survey)]
        answers.append(";".join(tools[: 1 + i % 3]) + ";")
        answers += [row["wave"]] if wave_question else []
        ws.append(answers)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.created = dt.datetime(2026, 11, 2, 9, 0)
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Give every part of a workbook one fixed time, so the file is the same on every run."""
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 2, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-02T09:00:00Z", data
                )
            dst.writestr(fixed, data)


def limesurvey(survey: pd.DataFrame, base: Path = HERE) -> None:
    write_limesurvey(survey, base / "limesurvey" / "survey.csv")


def write_limesurvey(
    survey: pd.DataFrame, path: Path, *, wave_question: bool = False, participants: bool = False
) -> None:
    """A LimeSurvey export (question and answer codes) of ``survey`` as
    ``path``; with ``wave_question``, a hidden question :data:`LIME_WAVE`
    holds each response's wave; with ``participants`` (a closed survey), the
    participant table's ``firstname``, ``lastname`` and ``email`` follow
    the metadata, as LimeSurvey exports them with the token attributes."""
    rng = np.random.default_rng(4)
    codes = {
        "department": "AFD",
        "team": "TEAM",
        "role": "ROL",
        "ai_use_frequency": "FREQ",
        "ai_skill_level": "NIVEAU",
        "ai_training_done": "TRAINING",
        "team_phase": "FASE",
    }
    arrays = {"comp": "COMP", "culture": "CULT", "pillar": "PIJL"}
    item_codes = {}
    for prefix, code in arrays.items():
        cols = [c for c in items(survey) if c.startswith(prefix + "_")]
        item_codes.update({c: f"{code}[SQ{n:03d}]" for n, c in enumerate(cols, start=1)})
    meta = [
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "ipaddr",
        "refurl",
        "startdate",
        "datestamp",
    ]
    meta += ["firstname", "lastname", "email"] if participants else []
    header = meta + list(codes.values()) + list(item_codes.values()) + ["OPM"]
    header += [LIME_WAVE] if wave_question else []
    answer = {
        "role": {"leader": "A1", "employee": "A2"},
        "ai_use_frequency": {"never": "A1", "monthly": "A2", "weekly": "A3", "daily": "A4"},
        "ai_skill_level": {"user": "A1", "connector": "A2", "specialist": "A3"},
        "ai_training_done": {"true": "Y", "false": "N"},
    }
    lines = [header]
    for i, (reason, row) in enumerate(mixed(survey), start=1):
        if reason in ("preview", "spam"):
            continue  # LimeSurvey has no previews or spam in its responses table
        p = person(rng, 2000 + i)
        start, end = timestamps(rng, i)
        done = reason != "unfinished"
        values = [
            str(i),
            end.strftime("%Y-%m-%d %H:%M:%S") if done else "",
            "4" if done else "2",
            "nl",
            str(int(rng.integers(10**8, 10**9))),
            p["token"],
            p["ip"],
            f"https://intranet.example.org/ai-enquete?medewerker={p['ref']}",
            start.strftime("%Y-%m-%d %H:%M:%S"),
            end.strftime("%Y-%m-%d %H:%M:%S"),
            *((p["first"], p["last"], p["email"]) if participants else ()),
            row["department"],
            row["team"],
        ]
        for name in ("role", "ai_use_frequency", "ai_skill_level", "ai_training_done"):
            values.append(answer[name].get(row[name], ""))
        values.append(f"A{row['team_phase']}" if row["team_phase"] else "")
        values += [f"A{row[c]}" if row[c] else "" for c in item_codes]
        values.append("")
        values += [row["wave"]] if wave_question else []
        lines.append(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(lines)


#: tool -> (survey file name, writer)
WRITERS = {
    "qualtrics": ("survey.csv", write_qualtrics),
    "msforms": ("survey.xlsx", write_msforms),
    "limesurvey": ("survey.csv", write_limesurvey),
}
_WAVE_COLUMN = {"msforms": FORMS_WAVE, "limesurvey": LIME_WAVE}


def mapping_for(tool: str, *, wave_question: bool = False) -> str:
    """The mapping file of ``tool``'s export: docs/examples/mapping-<tool>.yaml,
    with the wave read from the export's wave question instead of the
    file's single ``wave:`` when ``wave_question``."""
    text = (ROOT / "docs" / "examples" / f"mapping-{tool}.yaml").read_text("utf-8")
    if wave_question and tool in _WAVE_COLUMN:
        wave = re.search(r"^wave: \d{4}-\d{2}\n", text, flags=re.M)
        if wave is None:
            raise ValueError(f"docs/examples/mapping-{tool}.yaml has no 'wave: YYYY-MM' line")
        text = text.replace(wave.group(0), "", 1)
        text = text.replace("\ncolumns:\n", f'\ncolumns:\n  "{_WAVE_COLUMN[tool]}": wave\n', 1)
    return text


def write_export(sample: Path, tool: str, out: Path) -> dict[str, Path]:
    """A data folder ``out`` holding the organisation of ``sample`` (a folder
    of aiadopt's own CSV files, e.g. ``data/sample``) with its survey as
    ``tool``'s export: the tool's ids and answer wording, made-up personal
    data in the tool's personal-data columns, and a few previews, spam and
    unfinished responses to be left out. ``out/mapping.yaml`` is the mapping
    file to read it with.

    Returns
    -------
    dict
        ``use_cases``, ``processes``, ``survey``, ``mapping`` -> the files written.
    """
    if tool not in WRITERS:
        raise ValueError(f"unknown tool {tool!r}; expected one of {', '.join(WRITERS)}")
    survey = pd.read_csv(Path(sample) / "survey.csv", dtype=str, keep_default_na=False)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for table in ("use_cases", "processes"):
        files[table] = out / f"{table}.csv"
        files[table].write_bytes((Path(sample) / f"{table}.csv").read_bytes())
    name, writer = WRITERS[tool]
    several = survey["wave"].nunique() > 1
    files["survey"] = out / name
    options = {"participants": True} if tool == "limesurvey" else {}
    writer(survey, files["survey"], wave_question=several, **options)
    files["mapping"] = out / "mapping.yaml"
    files["mapping"].write_text(mapping_for(tool, wave_question=several), encoding="utf-8")
    return files


def cli(argv: list[str] | None = None) -> None:
    """The command line: the fixtures next to this script (no options), or
    with ``--sample DIR --tool TOOL --out DIR``, one export of an organisation."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, help="folder of aiadopt's own CSV files")
    parser.add_argument("--tool", choices=list(WRITERS), help="the survey tool to export as")
    parser.add_argument("--out", type=Path, help="the data folder to write")
    args = parser.parse_args(argv)
    if args.sample or args.tool or args.out:
        if not (args.sample and args.tool and args.out):
            parser.error("--sample, --tool and --out go together")
        for path in write_export(args.sample, args.tool, args.out).values():
            print(path)
        return
    main()


def main(base: Path = HERE) -> None:
    """Write the fixtures under ``base`` (default: next to this script)."""
    use_cases, processes, survey = organisation()
    out = base / "organisation"
    out.mkdir(parents=True, exist_ok=True)
    use_cases.to_csv(out / "use_cases.csv", index=False)
    processes.to_csv(out / "processes.csv", index=False)
    survey.to_csv(out / "survey.csv", index=False)
    qualtrics_current(survey, base)
    qualtrics_legacy(survey, base)
    msforms(survey, base)
    limesurvey(survey, base)


if __name__ == "__main__":
    cli()
