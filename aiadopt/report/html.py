"""Executed notebook -> one self-contained, sanitized HTML page; the month's index.

Both are Jinja2 templates in ``aiadopt/report/templates/aiadopt_report/``:

- ``index.html.j2`` is an nbconvert template (``conf.json``: its base is
  nbconvert's ``basic``). nbconvert renders the notebook body without code
  (``exclude_input``; cells tagged ``analyst-note`` are dropped too), nh3
  sanitizes it (no scripts, no styles from outputs, images only as
  ``data:`` URIs) and the template puts it in our page.
- ``month_index.html.j2`` is the month's landing page for readers
  (:func:`index_page`), rendered with autoescaping on.
- ``layout.html.j2`` is the page both share: inline CSS (``page.css``), the
  contents sidebar and a Content Security Policy that forbids any request
  outside the file.

Every word comes from the label catalogue (groups ``page`` and ``index`` in
``aiadopt/data/labels/page.yaml``), every number through
:class:`~aiadopt.present.formats.Formatter`.

The page reads on any screen and on paper (``page.css``): below 700 px the
contents sit above the text and wide tables scroll in their own box; printed,
pages are A4 with margins, headings stay with what follows and figures and
table rows are not split. tests/test_report_layout.py checks both in chromium.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import cache
from pathlib import Path

import nbformat
import nh3
from markupsafe import Markup

from ..labels import label
from ..present.formats import KPI_DISPLAY, Formatter, change_direction

__all__ = [
    "ANALYST_TAG",
    "CSP",
    "INDEX_KPIS",
    "TEMPLATES",
    "index_page",
    "notebook_to_html",
    "page",
    "page_title",
    "sanitize",
]

#: Markdown cells with this tag are notes for analysts in JupyterLab; they
#: are not part of the published report.
ANALYST_TAG = "analyst-note"

#: The folder of aiadopt's templates (an nbconvert template base directory).
TEMPLATES = Path(__file__).resolve().parent / "templates"
_TEMPLATE = "aiadopt_report"

_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "div",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "ol",
    "li",
    "figure",
    "figcaption",
    "img",
    "strong",
    "em",
    "b",
    "i",
    "br",
    "hr",
    "a",
    "code",
    "small",
    "sup",
    "sub",
    "blockquote",
    "caption",
}
_ATTRIBUTES = {
    "*": {"id", "class"},
    "img": {"src", "alt", "width", "height"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {ANALYST_TAG}
    exporter = HTMLExporter(
        config=c, template_name=_TEMPLATE, extra_template_basedirs=[str(TEMPLATES)]
    )
    exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    exporter.register_filter("sanitize", _sanitized)
    exporter.register_filter("toc_entries", _toc_entries)
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
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if o.get("output_type") in ("display_data", "execute_result")
            ]
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


def _sanitized(fragment: str) -> Markup:
    """:func:`sanitize` for templates: the result is safe markup."""
    return Markup(sanitize(str(fragment)))


def _toc_entries(body: str) -> list[tuple[str, str]]:
    """``(id, text)`` of every ``<h2 id>`` in ``body``, the text without tags
    and entities (the template escapes it again)."""
    return [
        (html.unescape(sid), " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
        for sid, text in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', str(body), flags=re.S)
    ]


@cache
def _css() -> Markup:
    return Markup((TEMPLATES / _TEMPLATE / "page.css").read_text("utf-8"))


@cache
def _environment():
    """The Jinja2 environment of aiadopt's own pages: autoescape on, and an
    undefined name is an error rather than an empty string."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / _TEMPLATE)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["toc_entries"] = _toc_entries
    return env


def _page_settings(title: str, lang: str, toc: bool) -> dict:
    return {
        "lang": lang,
        "title": title,
        "toc_title": label("page.contents", lang) if toc else None,
        "csp": Markup(CSP),  # a constant: its quotes stay quotes
        "css": _css(),
    }


def page_title(unit: str, period: str, lang: str = "en") -> str:
    """The ``<title>`` of a report: "AI adoption — Finance — October 2026".

    >>> page_title("Finance", "2026-10", "en")
    'AI adoption — Finance — October 2026'
    """
    return label("page.title", lang, unit=unit, month=Formatter(lang).month(period))


def page(title: str, body: str, *, lang: str = "en", toc: bool = True) -> str:
    """A complete HTML document around an already-sanitized ``body``, with
    the contents sidebar (heading from the catalogue) unless ``toc`` is False."""
    template = _environment().get_template("layout.html.j2")
    return str(template.module.document(_page_settings(title, lang, toc), Markup(body)))


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, lang: str = "en") -> str:
    """Convert an executed report notebook into the published page
    (template ``aiadopt_report/index.html.j2``)."""
    resources = {"aiadopt": _page_settings(title, lang, True)}
    body, _ = _exporter().from_notebook_node(_published_cells(nb), resources=resources)
    return body


#: The headline KPIs on the index: the same decimals and good direction as
#: the reports' KPI table (one definition, :data:`aiadopt.present.formats.KPI_DISPLAY`).
INDEX_KPIS = KPI_DISPLAY


def _kpi_cells(now: dict | None, before: dict | None, fmt: Formatter) -> list[dict]:
    """One cell per KPI of :data:`INDEX_KPIS`: the value as shown, and the
    change against ``before`` computed from the values as shown."""
    cells = []
    for key, (digits, _) in INDEX_KPIS.items():
        value = None if now is None else now.get(key)
        previous = None if before is None else before.get(key)
        suppressed = key == "leadership_adoption_pct" and bool(
            now and now.get("leadership_adoption_pct_suppressed")
        )
        if (
            key == "leadership_adoption_pct"
            and before
            and before.get("leadership_adoption_pct_suppressed")
        ):
            previous = None  # a suppressed figure is never used, not even for a change
        change = fmt.change(value, previous, digits)
        direction, quality = change_direction(key, change)
        cells.append(
            {
                "key": key,
                "value": fmt.number(value, digits),
                "suppressed": suppressed,
                "change": change,
                "direction": direction,
                "quality": quality,
            }
        )
    return cells


def index_page(
    *,
    period: str,
    rows: list[dict],
    generated: dt.datetime,
    lang: str = "en",
    kpis: dict | None = None,
    run: dict | None = None,
) -> str:
    """``reports/<period>/index.html``: the month's landing page.

    Parameters
    ----------
    period : str
        The month, ``YYYY-MM``.
    rows : list of dict
        One per report, organisation first (:class:`JobResult` as dicts):
        ``kind``, ``department``, ``title``, ``file`` (None when failed and
        nothing earlier is shown), ``status`` (``ok``/``failed``),
        ``reason``, ``duration_s``, optionally ``pdf`` and ``earlier_run``
        (a failed report whose version from an earlier run of the month is
        shown instead: when that run finished, ISO 8601).
    generated : datetime
        When the run finished.
    lang : {"en", "nl"}, default="en"
    kpis : dict, optional
        ``department`` (None for the organisation) -> ``(now, before)``: the
        unit's row of :func:`aiadopt.kpis.compute_kpis` for the month and the
        previous month as dicts (``before`` None when there is none).
    run : dict, optional
        Operator details: ``duration_s``, ``workers``, ``versions`` (name ->
        version) and ``privacy`` (the manifest's privacy summary).

    Returns
    -------
    str
        The page: every report with its headline KPIs and their change
        against the previous month (▲/▼ coloured good or bad per KPI), and
        the run's details in a collapsible block.
    """
    fmt = Formatter(lang)
    kpis = kpis or {}
    run = run or {}
    previous_month = str(_previous(period))
    units = []
    for r in rows:
        now, before = kpis.get(r.get("department"), (None, None))
        earlier = r.get("earlier_run")
        units.append(
            {
                "kind": r.get("kind") or "department",
                "name": r["title"],
                "file": r.get("file"),
                "pdf": r.get("pdf"),
                "fresh": r["status"] == "ok",
                "earlier": fmt.date(earlier) if earlier and r["status"] != "ok" else None,
                "kpis": _kpi_cells(now, before, fmt),
            }
        )
    n = len(rows)
    n_done = sum(r["status"] == "ok" for r in rows)
    n_kept = sum(bool(r.get("earlier_run")) for r in rows if r["status"] != "ok")
    summary = label("index.completed", lang, n=n, done=fmt.count(n_done))
    if n_kept:
        summary += " " + label("index.kept", lang, n=n_kept)
    privacy = run.get("privacy")
    operator = {
        "generated": label(
            "index.generated",
            lang,
            when=generated.isoformat(timespec="seconds"),
            seconds=fmt.number(run.get("duration_s"), 1),
        ),
        "workers": label("index.workers", lang, n=run["workers"]) if run.get("workers") else "",
        "summary": summary,
        "privacy": label(
            "index.privacy",
            lang,
            suppressed=fmt.count(privacy["figures_suppressed"]),
            checked=fmt.count(privacy["figures_checked"]),
            k=fmt.count(privacy["min_group_size"]),
            recoverable=fmt.count(privacy["recoverable"]),
        )
        if privacy
        else "",
        "rows": [
            {
                "title": r["title"],
                "file": r.get("file"),
                "status": r["status"],
                "duration": fmt.number(r.get("duration_s"), 1),
                "reason": r.get("reason") or "",
                "earlier_run": str(r["earlier_run"]) if r.get("earlier_run") else None,
            }
            for r in rows
        ],
        "versions": sorted((run.get("versions") or {}).items()),
    }
    month = fmt.month(period)
    context = {
        "page": _page_settings(label("index.title", lang, month=month), lang, False),
        "heading": label("index.heading", lang, month=month),
        "intro": label("index.intro", lang, previous=fmt.month(previous_month)),
        "summary": summary,
        "kpi_heads": [label(f"kpi.{key}", lang) for key in INDEX_KPIS],
        "units": units,
        "operator": operator,
        "t": lambda key, **kw: label(key, lang, **kw),
    }
    # The index links to sibling files, so it is not run through sanitize();
    # the template escapes everything it is given.
    return _environment().get_template("month_index.html.j2").render(context)


def _previous(period: str):
    from ..kpis import parse_period

    return parse_period(period) - 1
