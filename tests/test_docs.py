"""The repository's own metric definitions (docs/metrics.md) and the
references to them from code, docs and notebooks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METRICS = ROOT / "docs" / "metrics.md"
#: The domain spec's section numbers, which code and docs cite as §N.
SECTIONS = {
    1: "Inputs",
    2: "KPIs",
    3: "Prioritisation",
    4: "Competency-to-ROI regression",
    5: "Privacy",
    6: "Pitfall signals",
}
TEXT_SUFFIXES = {".py", ".md", ".ipynb", ".yaml", ".yml", ".toml", ".txt", ".cfg"}
SKIP_DIRS = {"reports", "build", "dist", "node_modules", "__pycache__"}
REFERENCE = re.compile(r"docs/metrics\.md\s*§\s*(\d+)(?:\.(\d+))?")
SPEC = "METRICS" + ".md"  # spelt in two parts so this file does not mention it


def _text_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "Makefile"):
            files.append(path)
    return files


def _headings() -> tuple[set[int], set[tuple[int, int]]]:
    text = METRICS.read_text(encoding="utf-8")
    sections = {int(m) for m in re.findall(r"^## (\d+)\. ", text, flags=re.M)}
    subsections = {(int(a), int(b)) for a, b in re.findall(r"^### (\d+)\.(\d+) ", text, flags=re.M)}
    return sections, subsections


def _unresolved(refs: list[tuple[str, str, str]]) -> list[str]:
    sections, subsections = _headings()
    bad = []
    for where, major, minor in refs:
        if int(major) not in sections or (minor and (int(major), int(minor)) not in subsections):
            bad.append(f"{where}: §{major}{'.' + minor if minor else ''}")
    return bad


def test_metrics_doc_keeps_the_spec_section_numbers():
    """§1–§6 in the spec's order, so references to the spec map one to one."""
    text = METRICS.read_text(encoding="utf-8")
    found = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.M)
    assert [(int(n), title.strip()) for n, title in found] == list(SECTIONS.items())


def test_metrics_doc_cites_only_its_own_sections():
    """Every §N or §N.M inside docs/metrics.md names a heading of it."""
    refs = []
    for lineno, line in enumerate(METRICS.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            continue
        for m in re.finditer(r"(?<!seed \d{3} )§(\d+)(?:\.(\d+))?", line):
            refs.append((f"docs/metrics.md:{lineno}", m.group(1), m.group(2) or ""))
    assert refs, "docs/metrics.md cross-references its sections; none found"
    assert not _unresolved(refs), _unresolved(refs)


def test_references_to_metrics_doc_resolve():
    """A "docs/metrics.md §N" (or §N.M) anywhere in the repository names a
    section (or subsection) heading that exists."""
    refs = []
    for path in _text_files():
        for m in REFERENCE.finditer(path.read_text(encoding="utf-8", errors="replace")):
            refs.append((str(path.relative_to(ROOT)), m.group(1), m.group(2) or ""))
    assert not _unresolved(refs), _unresolved(refs)


def test_no_file_outside_docs_cites_the_external_spec():
    """Users do not have the domain spec; code, README, CLI help and
    notebooks cite docs/metrics.md instead."""
    citing = [
        str(path.relative_to(ROOT))
        for path in _text_files()
        if path.relative_to(ROOT).parts[0] != "docs"
        and SPEC in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not citing, f"{len(citing)} files still cite {SPEC}: {citing}"
