"""The monthly run on the sample organisation, for real: papermill, a real
kernel, nbconvert, and a real browser (Debian's chromium via Playwright).

One run (the session fixture ``sample_run`` in conftest.py, shared with
test_report_layout.py) on a copy of data/sample whose survey export also
carries a free-text column; every test below inspects its output.
"""

from __future__ import annotations

import html as htmlmod
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from aiadopt import load
from aiadopt.kpis import compute_kpis
from aiadopt.report.runner import CHROMIUM_FLAGS
from aiadopt.report.sections import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CHROMIUM = Path("/usr/bin/chromium")


def all_files(result):
    return [p for p in result.directory.rglob("*") if p.is_file()]


def test_every_report_published(sample_run):
    result, data = sample_run
    assert result.ok, [(r.title, r.reason) for r in result.failures]
    departments = sorted(set(load(data).use_cases["department"]))
    names = sorted(p.name for p in result.directory.iterdir())
    reports = ["organisation"] + [f"department-{d.lower()}" for d in departments]
    printed = (
        [".html", ".pdf"] if any(r.pdf for r in result.results) else [".html"]
    )  # --pdf with chromium
    expected = sorted(
        ["index.html", "manifest.json", "results"]
        + [name + ext for name in reports for ext in printed]
    )
    assert names == expected
    assert result.directory.name == "2026-10" and result.directory.is_symlink()


def test_manifest(sample_run):
    result, data = sample_run
    manifest = json.loads((result.directory / "manifest.json").read_text())
    assert manifest["period"] == "2026-10" and manifest["survey_wave"] == "2026-10"
    assert manifest["status"] == "ok"
    assert {i["table"] for i in manifest["inputs"]} == {"use_cases", "processes", "survey"}
    for item in manifest["inputs"]:
        assert re.fullmatch(r"[0-9a-f]{64}", item["sha256"])
    assert manifest["parameters"]["min_group_size"] == 5
    assert {"python", "pandas", "papermill", "aiadopt"} <= set(manifest["versions"])
    assert len(manifest["reports"]) == len(result.results)
    for report in manifest["reports"]:
        assert report["status"] == "ok" and report["duration_s"] > 0 and report["reason"] is None
    # Written last.
    others = [p.stat().st_mtime_ns for p in all_files(result) if p.name != "manifest.json"]
    assert (result.directory / "manifest.json").stat().st_mtime_ns >= max(others)


def test_no_code_no_scripts_no_external_references(sample_run):
    result, _ = sample_run
    for path in result.directory.glob("*.html"):
        text = path.read_text()
        assert "<script" not in text.lower()
        assert (
            "report.header()" not in text and "from aiadopt" not in text and "import " not in text
        )
        assert not re.search(
            r'(src|href)="(?!data:|#|department-|organisation\.(html|pdf)")', text
        ), path.name
        assert "http://" not in text and "https://" not in text


def test_sections_in_order_with_table_of_contents(sample_run):
    result, _ = sample_run
    text = (result.directory / "department-finance.html").read_text()
    ids = re.findall(r'<h2 id="([^"]+)">', text)
    expected = [s for s in SECTIONS]
    assert ids == [s for s in expected if s in ids]
    assert {
        "summary",
        "kpis",
        "trend",
        "priorities",
        "teams",
        "competencies",
        "culture",
        "goals",
        "pitfalls",
        "regression",
    } <= set(ids)
    toc = re.search(r'<nav class="toc".*?</nav>', text, flags=re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == [i for i in ids if i != "toc"]
    org = (result.directory / "organisation.html").read_text()
    assert "teams" not in re.findall(
        r'<h2 id="([^"]+)">', org
    )  # no team table in the organisation report


def test_privacy_no_respondent_ids_or_free_text(sample_run, sample_free_text):
    result, data = sample_run
    ids = set(load(data).survey["respondent_id"])
    pattern = re.compile(r"R\d{5}")
    for path in all_files(result):
        text = path.read_text(errors="ignore")
        assert sample_free_text not in text, path.name
        found = set(pattern.findall(text)) & ids
        assert not found, f"{path.name} contains respondent ids {sorted(found)[:5]}"


def _rows(text: str) -> list[list[str]]:
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", text, flags=re.S):
        cells = [
            htmlmod.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        ]
        if cells:
            rows.append(cells)
    return rows


def _raw_adoption(data_dir, period="2026-10"):
    """Leadership adoption without any suppression, computed independently."""
    s = load(data_dir).survey
    s = s[
        (s["wave"] == pd.Period(period, "M"))
        & (s["role"] == "leader")
        & s["ai_use_frequency"].notna()
    ]
    adopt = s["ai_use_frequency"].isin(["weekly", "daily"])
    by_team = adopt.groupby(s["team"]).mean() * 100
    by_dept = adopt.groupby(s["department"]).mean() * 100
    return by_team, by_dept


def _tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    out = []
    for table in re.findall(r"<table.*?</table>", text, flags=re.S):
        head = [
            htmlmod.unescape(re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)
        ]
        out.append((head, _rows(table)))
    return out


def test_privacy_suppressed_values_are_not_shown(sample_run):
    result, data = sample_run
    kpis = compute_kpis(load(data), period="2026-10")
    suppressed = set(kpis.loc[kpis["leadership_adoption_pct_suppressed"], "unit"])
    assert suppressed
    by_team, by_dept = _raw_adoption(data)
    checked = 0
    for path in result.directory.glob("*.html"):
        for head, rows in _tables(path.read_text()):
            if "Leadership adoption (%)" not in head:
                continue
            col = head.index("Leadership adoption (%)")
            for row in rows:
                if row[0] in suppressed:
                    raw = by_team.get(row[0], by_dept.get(row[0]))
                    assert row[col] == "suppressed", (
                        f"{path.name}: {row[0]} shows {row[col]!r} (raw {raw})"
                    )
                    checked += 1
    assert checked >= 10


def test_privacy_never_exactly_one_suppressed_part(sample_run):
    """Complementary suppression holds in every table of every report."""
    result, data = sample_run
    kpis = compute_kpis(load(data), period="2026-10")
    teams_of = kpis[kpis["level"] == "team"].groupby("department")["unit"].apply(set)
    departments = set(kpis.loc[kpis["level"] == "department", "unit"])
    for path in result.directory.glob("*.html"):
        rows = _rows(path.read_text())
        dept_rows = {r[0]: r for r in rows if r[0] in departments}
        if len(dept_rows) == len(departments):
            n = sum("suppressed" in r for r in dept_rows.values())
            assert n != 1, f"{path.name}: exactly one department suppressed"
        for dept, teams in teams_of.items():
            team_rows = [r for r in rows if r[0] in teams]
            if (
                len(team_rows) == len(teams)
                and dept_rows.get(dept)
                and "suppressed" not in dept_rows[dept]
            ):
                n = sum("suppressed" in r for r in team_rows)
                assert n != 1, f"{path.name}: exactly one team of {dept} suppressed"


def test_department_report_shows_only_its_own_teams(sample_run):
    result, data = sample_run
    kpis = compute_kpis(load(data), period="2026-10")
    teams = kpis[kpis["level"] == "team"]
    text = (result.directory / "department-finance.html").read_text()
    first_cells = {r[0] for r in _rows(text)}
    assert set(teams.loc[teams["department"] == "Finance", "unit"]) <= first_cells
    others = set(teams.loc[teams["department"] != "Finance", "unit"])
    assert not (others & first_cells)


# -- in a real browser ---------------------------------------------------------------


def _need_browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI (make test installs it with apt-get)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.mark.parametrize(
    "page_name", ["index.html", "department-finance.html", "organisation.html"]
)
def test_reports_in_a_real_browser(sample_run, tmp_path, page_name):
    sync_api = _need_browser()
    result, _ = sample_run
    target = (result.directory / page_name).resolve()
    url = target.as_uri()
    console, requests, failed = [], [], []
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(dir=tmp_path),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: console.append(m) if m.type == "error" else None)
            page.on("pageerror", lambda e: console.append(e))
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(url, wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
            )
            code = page.eval_on_selector_all(
                "pre, code, .jp-InputArea, .input_area", "els => els.length"
            )
            visible_text = page.inner_text("body")
            page.screenshot(path=str(tmp_path / f"{page_name}.png"), full_page=False)
            links = page.eval_on_selector_all(
                "nav.toc a, table a", "els => els.map(e => e.getAttribute('href'))"
            )
        finally:
            context.close()
    assert not console, [str(m) for m in console]
    assert not failed
    outside = [u for u in requests if u != url and not u.startswith("data:")]
    assert not outside, outside
    assert all(c and w > 0 and h > 0 for c, w, h in images), images
    if page_name != "index.html":
        assert len(images) >= 8
        assert links and all(h.startswith("#") for h in links)
    else:
        assert set(links) >= {"organisation.html", "department-finance.html"}
    assert code == 0
    assert "import " not in visible_text and "report." not in visible_text
    assert (tmp_path / f"{page_name}.png").stat().st_size > 10_000
