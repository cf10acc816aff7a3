"""Executed notebook -> one self-contained, sanitized HTML page.

nbconvert renders the notebook body without code (``exclude_input``; cells
tagged ``analyst-note`` are dropped too), nh3 sanitizes it (no scripts, no
styles from outputs, images only as ``data:`` URIs), and the result is put
in our own page with inline CSS, a table of contents and a Content Security
Policy that forbids any request outside the file.

The page reads on any screen and on paper (:data:`CSS`): below 700 px the
contents sit above the text and wide tables scroll in their own box; printed,
pages are A4 with margins, headings stay with what follows and figures and
table rows are not split. tests/test_report_layout.py checks both in chromium.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import nbformat
import nh3

from ..present.formats import Formatter

__all__ = ["notebook_to_html", "page", "index_page", "ANALYST_TAG"]

#: Markdown cells with this tag are notes for analysts in JupyterLab; they
#: are not part of the published report.
ANALYST_TAG = "analyst-note"

_TAGS = {
    "h1", "h2", "h3", "h4", "p", "div", "span", "table", "thead", "tbody", "tr", "th", "td",
    "ul", "ol", "li", "figure", "figcaption", "img", "strong", "em", "b", "i", "br", "hr",
    "a", "code", "small", "sup", "sub", "blockquote", "caption",
}
_ATTRIBUTES = {
    "*": {"id", "class"},
    "img": {"src", "alt", "width", "height"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9dee3; --accent:#0173b2; --bg:#ffffff; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color:var(--ink); background:var(--bg); line-height:1.5; }
.layout { display:flex; max-width:1280px; margin:0 auto; }
nav.toc { position:sticky; top:0; align-self:flex-start; flex:none; width:230px; padding:24px 16px; font-size:14px;
          border-right:1px solid var(--line); height:100vh; overflow:auto; }
nav.toc h2 { font-size:13px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:0 0 8px;
             padding:0; border:0; }
nav.toc ol { list-style:none; padding:0; margin:0; }
nav.toc li { margin:4px 0; break-inside:avoid; }
nav.toc a { color:var(--ink); text-decoration:none; }
nav.toc a:hover { color:var(--accent); }
main { flex:1; min-width:0; padding:24px 40px 64px; overflow-wrap:break-word; }
h1 { font-size:28px; line-height:1.25; margin:0 0 4px; }
h2 { font-size:21px; line-height:1.3; margin:36px 0 10px; padding-top:8px; border-top:1px solid var(--line); }
h3 { font-size:16px; line-height:1.3; margin:18px 0 6px; }
main p, main ul, .summary { max-width:75ch; }
p.meta, p.note { color:var(--muted); font-size:14px; }
.summary { background:#f3f7fb; border-left:4px solid var(--accent); padding:10px 16px; border-radius:4px; }
.summary p { margin:6px 0; }
figure { margin:12px 0; }
img { max-width:100%; height:auto; }
figcaption { color:var(--muted); font-size:13px; }
/* A table wider than the text column scrolls inside its own box, never the page. */
table { display:block; width:fit-content; max-width:100%; overflow-x:auto; border-collapse:collapse;
        margin:8px 0 16px; font-size:14px;
        /* shadows at an edge where more columns are hidden (they scroll away with the content) */
        background: linear-gradient(to right, var(--bg) 30%, rgba(255,255,255,0)) left / 24px 100% no-repeat local,
                    linear-gradient(to left, var(--bg) 30%, rgba(255,255,255,0)) right / 24px 100% no-repeat local,
                    radial-gradient(farthest-side at 0 50%, rgba(31,41,51,.22), rgba(31,41,51,0)) left / 10px 100% no-repeat scroll,
                    radial-gradient(farthest-side at 100% 50%, rgba(31,41,51,.22), rgba(31,41,51,0)) right / 10px 100% no-repeat scroll; }
th, td { padding:5px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
th { background:#f5f7fa; font-weight:600; }
td.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
td.suppressed { color:var(--muted); font-style:italic; }
td.change-good { color:#027a48; } td.change-bad { color:#b42318; }
td.status-ok { color:#027a48; font-weight:600; }
td.status-failed { color:#b42318; font-weight:600; }
ul.signals li { margin:4px 0; }

/* Narrow screens: the contents go above the text, in columns, and the text takes the full width. */
@media (max-width: 700px) {
  .layout { display:block; }
  nav.toc { position:static; width:auto; height:auto; overflow:visible; padding:12px 16px;
            border-right:0; border-bottom:1px solid var(--line); }
  nav.toc ol { columns:2 10em; column-gap:16px; }
  main { padding:16px 16px 48px; }
  h1 { font-size:23px; }
  h2 { font-size:19px; margin-top:28px; }
  table { font-size:13px; }
  th, td { padding:4px 8px; }
}

/* Paper: A4 with margins, no contents sidebar, headings kept with what follows,
   figures, table rows and list items never split over two pages. Chromium honours
   break-after:avoid on a heading nested in nbconvert's output divs (the test prints
   sections like the report's at every height of a page to check it). */
@page { size:A4; margin:16mm 15mm 18mm; }
@media print {
  body { font-size:10.5pt; line-height:1.4; }
  .layout { display:block; max-width:none; }
  nav.toc { display:none; }
  main { padding:0; }
  h1 { font-size:20pt; }
  h2 { font-size:15pt; margin-top:18pt; }
  h3 { font-size:12pt; }
  h1, h2, h3, h4 { break-after:avoid; break-inside:avoid; }
  p { orphans:3; widows:3; }
  figure, img, tr, li, .summary { break-inside:avoid; }
  img { max-height:230mm; width:auto; }
  table { display:table; width:auto; max-width:100%; overflow:visible; font-size:9pt; background:none; }
  thead { display:table-header-group; }
  th, td { padding:3pt 6pt; }
  th { hyphens:auto; }
  a { color:inherit; text-decoration:none; }
  .summary { background:none; }
}
"""


def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {ANALYST_TAG}
    exporter = HTMLExporter(config=c, template_name="basic")
    exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    return exporter


def _published_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what a reader must never see: printed text, warnings and
    tracebacks (stream and error outputs) and the parameters cells."""
    nb = nbformat.from_dict(nb)
    keep = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"parameters", "injected-parameters", ANALYST_TAG}:
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]
        keep.append(cell)
    nb.cells = keep
    return nb


#: The only ``src`` an image may have: a PNG, JPEG, GIF or WebP embedded
#: as base64 (how nbconvert and :meth:`Report.figure` embed charts).
_IMAGE_URI = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3 ``attribute_filter``: ``value`` (entities already decoded) if it
    may stay, else ``None`` (the attribute is dropped).

    A link may only go to an anchor in the page (``#...``): no scheme, no
    relative or protocol-relative URL. An image may only be an embedded
    raster image. Whatever the attribute order, case or encoding, the
    decision is on the decoded value of that one attribute.
    """
    if attribute == "href":
        return value if value.startswith("#") else None
    if attribute == "src":
        return value if _IMAGE_URI.fullmatch(value) else None
    return value


def sanitize(fragment: str) -> str:
    """Allow only structural HTML, ``id``/``class`` attributes, images
    embedded as base64 ``data:image/...`` URIs and links to anchors in the
    page (``href="#..."``); every other link or image source is removed."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"data"},
        attribute_filter=_keep_attribute,
        link_rel=None,
        strip_comments=True,
    )


def _toc(body: str, title: str) -> str:
    items = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', body, flags=re.S)
    links = "".join(f'<li><a href="#{sid}">{text}</a></li>' for sid, text in items)
    return f'<nav class="toc" id="toc"><h2>{html.escape(title)}</h2><ol>{links}</ol></nav>'


def page(title: str, body: str, *, lang: str = "en", toc_title: str | None = "Contents") -> str:
    """A complete HTML document around an already-sanitized ``body``."""
    nav = _toc(body, toc_title) if toc_title else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f'<body><div class="layout">{nav}<main>{body}</main></div></body></html>\n'
    )


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, lang: str = "en", toc_title: str = "Contents") -> str:
    """Convert an executed report notebook into the published page."""
    body, _ = _exporter().from_notebook_node(_published_cells(nb))
    return page(title, sanitize(body), lang=lang, toc_title=toc_title)


def index_page(*, period: str, rows: list[dict], generated: dt.datetime, lang: str = "en") -> str:
    """``reports/<period>/index.html``: every report with its status.

    ``rows``: dicts with ``title``, ``file`` (None when failed and nothing
    earlier is shown), ``status`` (``ok``/``failed``), ``reason``,
    ``duration_s`` and optionally ``earlier_run``: for a failed report whose
    version from an earlier run of the month is shown instead, when that run
    finished (ISO 8601). Such a row links to the page and says it is the
    earlier version, with its time.
    """
    nl = lang == "nl"
    fmt = Formatter(lang)
    head = ["Rapport", "Status", "Duur (s)", "Reden"] if nl else ["Report", "Status", "Duration (s)", "Reason"]
    trs = []
    for r in rows:
        name = html.escape(r["title"])
        cell = f'<a href="{html.escape(r["file"])}">{name}</a>' if r.get("file") else name
        status = html.escape(r["status"])
        reason = html.escape(r.get("reason") or "")
        if r.get("earlier_run"):
            when = html.escape(str(r["earlier_run"]))
            note = (
                f"Getoond: de versie uit de eerdere run van {when}." if nl else f"Shown: the version from the earlier run of {when}."
            )
            reason = f'{reason} <strong class="earlier-run">{note}</strong>'
        trs.append(
            f'<tr><td>{cell}</td><td class="status-{status}">{status}</td>'
            f'<td class="num">{fmt.number(r.get("duration_s"), 1)}</td><td>{reason}</td></tr>'
        )
    n_failed = sum(r["status"] != "ok" for r in rows)
    n_earlier = sum(bool(r.get("earlier_run")) for r in rows if r["status"] != "ok")
    title = (f"AI-adoptierapporten {period}" if nl else f"AI adoption reports {period}")
    summary = (
        f"{len(rows) - n_failed} van {len(rows)} rapporten gelukt." if nl else f"{len(rows) - n_failed} of {len(rows)} reports completed."
    )
    if n_earlier:
        summary += (
            f" {n_earlier} mislukt rapport{'en' if n_earlier != 1 else ''} toont de versie uit een eerdere run."
            if nl
            else f" {n_earlier} failed report{'s' if n_earlier != 1 else ''} show{'' if n_earlier != 1 else 's'} the version from an earlier run."
        )
    body = (
        f'<h1 id="top">{html.escape(title)}</h1>'
        f'<p class="meta">{html.escape(("Gemaakt " if nl else "Generated ") + generated.isoformat(timespec="seconds"))} · {html.escape(summary)}</p>'
        f'<table class="data"><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead><tbody>{"".join(trs)}</tbody></table>'
    )
    # The index links to sibling files, so it is not run through sanitize().
    return page(title, body, lang=lang, toc_title=None)
