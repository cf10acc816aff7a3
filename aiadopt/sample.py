"""A fictional sample organisation: use-case register, process catalogue, survey.

The sample is what ``data/sample/`` holds and what the notebooks, the tests
and the benchmark run on. It is generated, never real: every name, id and
answer comes from :func:`numpy.random.default_rng` with a fixed seed, so the
same seed and arguments give the same tables on every machine.

The organisation has eight departments by default (Finance, HR, IT,
Klantenservice, Operations, Marketing, Sales and a deliberately tiny Legal
department of one team with 3-4 respondents, so that privacy suppression
shows in every report). Teams hold about 50 respondents each; about 12% of
respondents are leaders.

``departments=N`` (``aiadopt sample --departments N``, 2 to
:data:`MAX_DEPARTMENTS`) makes an organisation of N departments, Legal
still the tiny one: fewer than eight keeps the largest built-in ones; more
adds further Dutch organisation departments (Productontwikkeling, Inkoop,
Facilitaire Zaken, Communicatie, ...) and then regional offices of every
department ("Finance Noord", ..., "Finance Amsterdam", ...), each with its
department's teams ("Finance Noord Control") and processes. Respondents and
use cases scale with N by default (1500 and 150 per eight departments), so
teams keep about 50 respondents and their number grows linearly too. The
default of eight writes exactly the files in ``data/sample/`` (seed 7).

Built-in links, so that the analyses have something to find:

- every team has a latent leader level per competency that drifts up slowly
  over the waves; leaders' ``comp_*`` answers scatter around it;
- a use case's ROI rises with the owning team's leader level in change
  management and data culture (strongly), strategic understanding
  (moderately) and prompting (weakly), and with the share of the team's
  leaders who completed AI training, all measured at the use case's start;
- ``team_phase``, culture and pillar answers follow a team-level level that
  improves over time; AI use and AI training rise over the waves.

Everything is vectorised; ``generate_sample(n_respondents=100_000,
n_waves=24, n_use_cases=5000)`` takes a few seconds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_path
from .output import write_xlsx
from .schema import (
    COMPETENCIES,
    CULTURE_TRAITS,
    FREQUENCIES,
    GOALS,
    PILLARS,
    PROCESS_COLUMNS,
    SKILL_LEVELS,
    STATUSES,
    SURVEY_OPTIONAL,
    SURVEY_REQUIRED,
    TABLES,
    USE_CASE_COLUMNS,
)

__all__ = [
    "generate_sample",
    "write_sample",
    "SAMPLE_FORMATS",
    "DEFAULT_DEPARTMENTS",
    "MAX_DEPARTMENTS",
    "item_columns",
]

#: File format -> file extension written by :func:`write_sample`.
SAMPLE_FORMATS: dict[str, str] = {"csv": "csv", "parquet": "parquet", "xlsx": "xlsx"}

#: Items per scale in the generated survey.
_N_ITEMS = {"comp": 3, "culture": 2, "pillar": 2}

# --- the fictional organisation ---------------------------------------------------------
# fmt: off
# Department -> (relative size, team name suffixes). Legal is handled apart:
# it is always one tiny team.
_DEPARTMENTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "Klantenservice": (
        0.22,
        ("Telefonie", "Chat", "Klachten", "Backoffice", "Zakelijk", "Particulier",
         "Kwaliteit", "Planning", "Sociale Media", "Nazorg"),
    ),
    "Operations": (
        0.20,
        ("Logistiek", "Planning", "Inkoop", "Kwaliteit", "Productie", "Facilitair",
         "Magazijn", "Transport", "Onderhoud"),
    ),
    "IT": (
        0.15,
        ("Servicedesk", "Infrastructuur", "Data en Analytics", "Applicatiebeheer",
         "Security", "Development", "Architectuur", "Cloud"),
    ),
    "Finance": (
        0.13,
        ("Control", "Crediteuren", "Debiteuren", "Rapportage", "Treasury", "Fiscaal",
         "Administratie"),
    ),
    "Sales": (
        0.11,
        ("Binnendienst", "Buitendienst", "Accountmanagement", "Partners", "Offertes"),
    ),
    "HR": (
        0.10,
        ("Advies", "Recruitment", "Salarisadministratie", "Opleidingen", "Verzuim",
         "Organisatieontwikkeling"),
    ),
    "Marketing": (
        0.09,
        ("Communicatie", "Online", "Campagnes", "Content", "Marktonderzoek"),
    ),
}
_SMALL_DEPARTMENT = "Legal"
_SMALL_TEAM = "Legal Advies"

# Further departments of a larger organisation (``departments`` > 8), in the
# order they are added: department -> (relative size, team name suffixes).
_MORE_DEPARTMENTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "Productontwikkeling": (
        0.10,
        ("Productmanagement", "Design", "Gebruikersonderzoek", "Prototyping", "Testlab"),
    ),
    "Inkoop": (
        0.08,
        ("Strategisch", "Operationeel", "Contractmanagement", "Leveranciers", "Aanbesteding"),
    ),
    "Facilitaire Zaken": (
        0.08,
        ("Huisvesting", "Receptie", "Beveiliging", "Catering", "Schoonmaak", "Post en Archief"),
    ),
    "Communicatie": (
        0.07,
        ("Intern", "Extern", "Woordvoering", "Redactie", "Online"),
    ),
    "Business Intelligence": (
        0.06,
        ("Dashboards", "Datawarehouse", "Analyse", "Datakwaliteit"),
    ),
    "Risicomanagement": (
        0.05,
        ("Operationeel Risico", "Compliance", "Integriteit", "Informatiebeveiliging"),
    ),
    "Vastgoed": (
        0.05,
        ("Beheer", "Projecten", "Verhuur", "Onderhoud"),
    ),
    "Kwaliteitszorg": (
        0.05,
        ("Certificering", "Procesverbetering", "Klachtenanalyse"),
    ),
    "Programmamanagement": (
        0.04,
        ("PMO", "Portfolio", "Verandermanagement"),
    ),
    "Strategie en Beleid": (
        0.04,
        ("Strategie", "Beleid", "Onderzoek"),
    ),
    "Interne Audit": (
        0.04,
        ("Financieel", "Operationeel", "IT"),
    ),
    "Veiligheid en Milieu": (
        0.04,
        ("Arbo", "Bedrijfshulpverlening", "Milieu"),
    ),
    "Innovatie": (
        0.03,
        ("Lab", "Ventures", "Trends"),
    ),
    "Duurzaamheid": (
        0.03,
        ("Energie", "Circulariteit", "Rapportage"),
    ),
}
# Past those: regional offices of every department ("Finance Noord"), in this
# order; a regional office has its department's teams and processes.
_REGIONS: tuple[str, ...] = (
    "Noord", "Oost", "Zuid", "West", "Midden",
    "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen",
    "Tilburg", "Breda", "Nijmegen", "Zwolle", "Arnhem", "Maastricht",
)

_PROCESSES: dict[str, tuple[str, ...]] = {
    "Klantenservice": (
        "Klantvragen beantwoorden", "Klachtafhandeling", "Terugbelverzoeken",
        "Kennisbankbeheer", "Kwaliteitsmonitoring", "Bezettingsplanning",
        "E-mailafhandeling", "Chatafhandeling", "Klanttevredenheid",
        "Gespreksverslaglegging", "Opzeggingen", "Adreswijzigingen", "Escalaties",
    ),
    "Operations": (
        "Vraagvoorspelling", "Voorraadbeheer", "Roostering", "Kwaliteitscontrole",
        "Onderhoudsplanning", "Transportplanning", "Leveranciersbeheer",
        "Retourverwerking", "Productieplanning", "Orderpicking", "Storingsanalyse",
        "Energiebeheer", "Veiligheidsinspecties",
    ),
    "IT": (
        "Incidentbeheer", "Wijzigingsbeheer", "Softwareontwikkeling", "Toegangsbeheer",
        "Monitoring", "Datamanagement", "Licentiebeheer", "Testen",
        "Servicedeskverzoeken", "Back-up en herstel", "Capaciteitsplanning",
        "Documentatie",
    ),
    "Finance": (
        "Factuurverwerking", "Maandafsluiting", "Budgettering", "Betalingen",
        "Debiteurenbeheer", "Financiele rapportage", "Btw-aangifte",
        "Declaraties", "Investeringsanalyse", "Kostenallocatie", "Auditvoorbereiding",
    ),
    "Sales": (
        "Offertes opstellen", "Leadkwalificatie", "Accountplanning",
        "Contractverlenging", "Prijsstelling", "Verkoopprognose", "Orderinvoer",
        "CRM-beheer", "Aanbestedingen", "Klantbezoeken",
    ),
    "HR": (
        "Werving en selectie", "Onboarding", "Salarisverwerking",
        "Verzuimbegeleiding", "Opleidingsplanning", "Beoordelingscyclus",
        "Uitstroom", "Personeelsdossiers", "Arbeidsvoorwaarden", "Medewerkersonderzoek",
    ),
    "Marketing": (
        "Campagnebeheer", "Contentcreatie", "Marktanalyse", "Social media",
        "Klantsegmentatie", "Websitebeheer", "Evenementen", "Persberichten",
        "Nieuwsbrieven",
    ),
    "Legal": (
        "Contractbeoordeling", "Juridisch advies", "Compliance-toetsing",
        "Privacyverzoeken", "Claims en geschillen",
    ),
    "Productontwikkeling": (
        "Productroadmap", "Gebruikersinterviews", "Prototypes bouwen",
        "Productspecificaties", "Productlancering", "Productfeedback", "Releaseplanning",
    ),
    "Inkoop": (
        "Inkoopaanvragen", "Leveranciersselectie", "Contractbeheer", "Bestelverwerking",
        "Spendanalyse", "Leveranciersbeoordeling", "Inkoopfacturen controleren",
    ),
    "Facilitaire Zaken": (
        "Ruimtereservering", "Toegangspassen", "Gebouwstoringen", "Postverwerking",
        "Archivering", "Werkplekbeheer", "Schoonmaakplanning",
    ),
    "Communicatie": (
        "Persvragen", "Intranetbeheer", "Interne nieuwsbrief", "Crisiscommunicatie",
        "Mediamonitoring", "Speechschrijven",
    ),
    "Business Intelligence": (
        "Dashboardontwikkeling", "Datakwaliteitscontrole", "Ad-hocanalyses",
        "Stuurinformatie", "Datawarehousebeheer", "KPI-rapportage",
    ),
    "Risicomanagement": (
        "Risicoanalyse", "Incidentregistratie", "Compliancemonitoring",
        "Integriteitsmeldingen", "Sanctiescreening", "Risicorapportage",
    ),
    "Vastgoed": (
        "Huurcontracten", "Vastgoedtaxatie", "Meerjarenonderhoudsplan", "Energielabels",
        "Huurincasso", "Bouwprojectbeheer",
    ),
    "Kwaliteitszorg": (
        "ISO-certificering", "Procesbeschrijvingen", "Verbetervoorstellen",
        "Klachtenanalyse", "Kwaliteitsmetingen",
    ),
    "Programmamanagement": (
        "Projectplanning", "Voortgangsrapportage", "Risicologboek", "Resourceplanning",
        "Batenmanagement",
    ),
    "Strategie en Beleid": (
        "Beleidsnotities", "Strategische planning", "Marktverkenning", "Portfoliosturing",
        "Jaarplan", "Scenarioanalyse",
    ),
    "Interne Audit": (
        "Auditplanning", "Auditrapportage", "Opvolging bevindingen", "Steekproefcontrole",
        "Procesaudits",
    ),
    "Veiligheid en Milieu": (
        "Risico-inventarisatie", "Ongevallenregistratie", "BHV-planning",
        "Milieuvergunningen", "Veiligheidsrondes",
    ),
    "Innovatie": (
        "Ideeenbeheer", "Trendanalyse", "Proofs of concept", "Hackathons",
        "Startupsamenwerking",
    ),
    "Duurzaamheid": (
        "CO2-rapportage", "Energiemonitoring", "Afvalscheiding", "Duurzaam inkopen",
        "CSRD-rapportage",
    ),
}

_TECHNIQUES: tuple[str, ...] = (
    "Chatbot", "Documentherkenning", "Samenvattingen met LLM", "Voorspelmodel",
    "Automatische classificatie", "Anomaliedetectie", "Schrijfassistent",
    "Zoekassistent", "Automatische routering", "Transcriptie en samenvatting",
    "Copilot", "Kwaliteitscheck met AI",
)

# fmt: on

#: Departments the sample organisation has by default (seven, and the tiny Legal).
DEFAULT_DEPARTMENTS = len(_DEPARTMENTS) + 1

#: Most departments the sample has names for: every built-in and further
#: department, each also as a regional office in every region, and Legal.
MAX_DEPARTMENTS = (len(_DEPARTMENTS) + len(_MORE_DEPARTMENTS)) * (1 + len(_REGIONS)) + 1

# Department -> (relative size, team name suffixes), for every department a
# regular department is, or is a regional office of.
_BASES = {**_DEPARTMENTS, **_MORE_DEPARTMENTS}

# Use-case mix of the register (shares; exact counts by largest remainder).
_STATUS_SHARE = {"idea": 0.13, "pilot": 0.22, "production": 0.30, "scaled": 0.17, "stopped": 0.18}
_GOAL_SHARE = {"personal": 0.35, "operational": 0.45, "strategic": 0.20}
# Median investment (EUR) per goal.
_INVESTMENT_MEDIAN = {"personal": 8_000.0, "operational": 45_000.0, "strategic": 150_000.0}
# Share of started use cases, per status, with a known annual benefit.
_BENEFIT_SHARE = {"pilot": 0.55, "production": 0.9, "scaled": 0.92, "stopped": 0.45}
# Share, per status, with a first_impact_date (when it falls on or before the end).
_IMPACT_SHARE = {"idea": 0.0, "pilot": 0.2, "production": 0.85, "scaled": 0.95, "stopped": 0.05}

# fmt: off
# Latent leader level per competency (1-5 scale) at the first wave.
_COMPETENCY_BASE = {
    "strategic": 2.9, "data": 3.1, "ethics": 2.8, "change": 2.8,
    "prompting": 3.3, "hybrid": 3.0, "learning": 3.2,
}
# ROI gained per point of the team's leader level (the "true" model).
_ROI_WEIGHTS = {
    "strategic": 0.20, "data": 0.40, "ethics": 0.0, "change": 0.50,
    "prompting": 0.05, "hybrid": 0.0, "learning": 0.0,
}

# fmt: on

_RESPONDENTS_PER_TEAM = 50
_LEADER_SHARE = 0.12
_PARTICIPATION = 0.80
_MISSING_ITEM = 0.02


def item_columns() -> list[str]:
    """Names of the survey's item columns, in file order.

    Three items for each competency, two for each culture trait and pillar.

    Examples
    --------
    >>> item_columns()[:4]
    ['comp_strategic_1', 'comp_strategic_2', 'comp_strategic_3', 'comp_data_1']
    """
    cols = []
    for prefix, keys in (("comp", COMPETENCIES), ("culture", CULTURE_TRAITS), ("pillar", PILLARS)):
        for key in keys:
            cols += [f"{prefix}_{key}_{n}" for n in range(1, _N_ITEMS[prefix] + 1)]
    return cols


def generate_sample(
    *,
    seed: int = 7,
    departments: int = DEFAULT_DEPARTMENTS,
    n_respondents: int | None = None,
    n_waves: int = 12,
    n_use_cases: int | None = None,
    n_processes: int | None = None,
    end_period: str = "2026-10",
) -> dict[str, pd.DataFrame]:
    """Generate the raw tables of a fictional organisation.

    Parameters
    ----------
    seed : int, default=7
        Seed of :func:`numpy.random.default_rng`; the same seed and arguments
        give identical tables.
    departments : int, default=8
        Number of departments, from 2 to :data:`MAX_DEPARTMENTS`, the tiny
        Legal department included. The first seven are the built-in ones;
        further ones are more Dutch organisation departments (Inkoop,
        Communicatie, ...), then regional offices of all of them
        (``"Finance Noord"``, ..., ``"Finance Amsterdam"``, ...) with their
        department's teams and processes. Fewer than 8 keeps the largest
        built-in ones. Teams are named ``"<department> <team>"``.
    n_respondents : int, optional
        Number of distinct survey respondents, at least 8 per regular
        department plus 4 (60 for 8 departments). By default 1500 for 8
        departments, scaled in proportion to ``departments``. Teams hold
        about 50 each, and every regular department has at least one; the
        Legal department is always one team of 3-4.
    n_waves : int, default=12
        Number of monthly survey waves, the last one being ``end_period``.
    n_use_cases : int, optional
        Number of use cases in the register (at least 10). By default 150
        for 8 departments, scaled in proportion to ``departments``.
    n_processes : int, optional
        Number of processes in the catalogue, at least one per department.
        By default 60 for 150 use cases, scaled in proportion to
        ``n_use_cases`` (and at least two per department).
    end_period : str, default="2026-10"
        Last month covered (``YYYY-MM``): no date in the tables is after its
        last day.

    Returns
    -------
    dict of str to DataFrame
        ``use_cases``, ``processes`` and ``survey`` with the column names of
        docs/metrics.md §1. Text columns hold the canonical English labels;
        dates are ``datetime64[ns]`` (``NaT`` when empty); ``wave`` is a
        ``YYYY-MM`` string; Likert items, ``team_phase`` and the potential
        scores (``repetition`` ...) are nullable ``Int8``; money is whole
        euros (``annual_benefit_eur`` nullable ``Int64``); ``core`` is bool
        and ``ai_training_done`` nullable ``boolean``.

    Raises
    ------
    ValueError
        If ``departments`` is out of range, a size is too small or
        ``end_period`` is not a month (every such problem in one message).

    Examples
    --------
    >>> tables = generate_sample(n_respondents=200, n_waves=3, n_use_cases=20)
    >>> sorted(tables)
    ['processes', 'survey', 'use_cases']
    >>> tables["survey"]["wave"].max()
    '2026-10'
    >>> big = generate_sample(departments=40, n_respondents=2000, n_waves=1)
    >>> big["survey"]["department"].nunique(), len(big["use_cases"])
    (40, 750)
    """
    problems = []
    whole = not isinstance(departments, bool) and isinstance(departments, int | np.integer)
    valid = whole and 2 <= departments <= MAX_DEPARTMENTS
    if not valid:
        problems.append(
            f"departments={departments!r} is not a whole number from 2 to {MAX_DEPARTMENTS}; "
            "count the tiny Legal department too."
        )
    # Without a valid count, the checks that depend on it are skipped.
    scale = departments / DEFAULT_DEPARTMENTS if valid else 1.0
    if n_respondents is None:
        n_respondents = round(1500 * scale)
    if n_use_cases is None:
        n_use_cases = round(150 * scale)
    least = 8 * (departments - 1) + 4 if valid else 0
    if n_respondents < least:
        problems.append(
            f"n_respondents={n_respondents} is too small; use at least {least} for "
            f"{departments} departments (8 per department, 4 for the tiny Legal one)."
        )
    if n_waves < 1:
        problems.append(f"n_waves={n_waves} must be at least 1.")
    if n_use_cases < 10:
        problems.append(f"n_use_cases={n_use_cases} is too small; use at least 10.")
    if n_processes is None and valid:
        n_processes = max(2 * departments, round(60 * n_use_cases / 150))
    if valid and n_processes < departments:
        problems.append(
            f"n_processes={n_processes} is too small; use at least {departments} "
            "(one per department)."
        )
    if not (isinstance(end_period, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end_period)):
        problems.append(f"end_period={end_period!r} is not a month; write it as 'YYYY-MM'.")
    if problems:
        raise ValueError(" ".join(problems))
    end = pd.Period(end_period, freq="M")

    regular = _regular_departments(departments)
    rng = np.random.default_rng(seed)
    org = _make_organisation(rng, n_respondents, regular)
    latent = _make_latent(rng, org, n_waves)
    processes = _make_processes(rng, n_processes, regular)
    use_cases = _make_use_cases(rng, org, latent, processes, n_use_cases, n_waves, end)
    survey = _make_survey(rng, org, latent, n_waves, end)
    return {"use_cases": use_cases, "processes": processes, "survey": survey}


def write_sample(
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 7,
    fmt: str = "csv",
    **kwargs: object,
) -> dict[str, Path]:
    """Generate the sample organisation and write its three tables.

    Each file is written to a temporary file in ``out_dir`` first and then
    moved into place, so an interrupted run leaves no half-written file.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write to; created if missing.
    seed : int, default=7
        Passed to :func:`generate_sample`.
    fmt : {"csv", "parquet", "xlsx"}, default="csv"
        File format. CSV uses ``,`` as separator and ``.`` as decimal mark,
        ISO dates and lowercase ``true``/``false``; empty cells are missing.
        These are input files that aiadopt reads back, so CSV text is
        written as it is, without the leading ``'`` of
        :func:`aiadopt.output.neutralise_formulas` (it would change the
        value on re-read); the generated names and ids never start with
        ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. XLSX goes
        through :func:`aiadopt.output.write_xlsx`: text cells, never
        formulas, values unchanged.
    **kwargs
        Further arguments of :func:`generate_sample` (``n_respondents``, ...).

    Returns
    -------
    dict of str to Path
        Table name -> the file written (``use_cases.<ext>``,
        ``processes.<ext>``, ``survey.<ext>``).

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample(tempfile.mkdtemp(), n_respondents=100, n_use_cases=20)
    >>> sorted(p.name for p in paths.values())
    ['processes.csv', 'survey.csv', 'use_cases.csv']
    """
    if fmt not in SAMPLE_FORMATS:
        raise ValueError(
            f"fmt={fmt!r} is not a sample format; use one of {sorted(SAMPLE_FORMATS)}."
        )
    tables = generate_sample(seed=seed, **kwargs)  # type: ignore[arg-type]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ext = SAMPLE_FORMATS[fmt]
    paths = {}
    for name in TABLES:
        target = out / f"{name}.{ext}"
        _write_atomic(tables[name], target, fmt)
        paths[name] = target
    return paths


# --- writing ------------------------------------------------------------------------------


def _write_atomic(df: pd.DataFrame, target: Path, fmt: str) -> None:
    # A temporary name in the same folder, renamed when complete; umask permissions.
    with atomic_path(target) as tmp:
        if fmt == "csv":
            _csv_ready(df).to_csv(
                tmp,
                index=False,
                sep=",",
                decimal=".",
                date_format="%Y-%m-%d",
                float_format="%.10g",
                lineterminator="\n",
                encoding="utf-8",
            )
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False, engine="pyarrow")
        else:
            write_xlsx(
                df,
                tmp,
                sheet_name=target.stem,
                date_format="YYYY-MM-DD",
                datetime_format="YYYY-MM-DD",
            )


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as lowercase ``true``/``false`` (empty when missing)."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            na = s.isna().to_numpy()
            text = np.where(s.fillna(False).to_numpy(dtype=bool), "true", "false").astype(object)
            text[na] = None
            out[col] = text
    return out


# --- helpers ------------------------------------------------------------------------------


def _largest_remainder(shares: np.ndarray, total: int, minimum: int = 0) -> np.ndarray:
    """Integer counts summing to ``total``, proportional to ``shares``, each >= minimum."""
    shares = np.asarray(shares, dtype=float)
    k = len(shares)
    rest = total - minimum * k
    if rest < 0:
        raise ValueError(f"cannot split {total} into {k} parts of at least {minimum}")
    exact = shares / shares.sum() * rest
    counts = np.floor(exact).astype(np.int64)
    short = rest - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts + minimum


def _unique_names(stem: str, suffixes: tuple[str, ...], n: int, sep: str = " ") -> list[str]:
    """``n`` distinct names ``<stem><sep><suffix>``, numbering rounds past the first."""
    names = []
    round_ = 1
    while len(names) < n:
        for suffix in suffixes:
            base = f"{stem}{sep}{suffix}" if stem else suffix
            names.append(base if round_ == 1 else f"{base} {round_}")
            if len(names) == n:
                break
        round_ += 1
    return names


def _likert(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 1, 5).astype(np.int8)


def _nullable(
    values: np.ndarray, missing: np.ndarray, dtype: str = "int8"
) -> pd.arrays.IntegerArray:
    """Nullable integer array (``Int8`` by default), missing where ``missing``."""
    missing = np.asarray(missing, dtype=bool)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(dtype), missing)


def _lookup(mapping: dict[str, float], labels: np.ndarray) -> np.ndarray:
    """``mapping[label]`` for each label (0.0 where absent), vectorised."""
    out = np.zeros(len(labels))
    for key, value in mapping.items():
        out[labels == key] = value
    return out


def _days(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype("timedelta64[D]")


# --- organisation and latent levels -------------------------------------------------------


class _Org:
    """Departments, teams and respondents (internal)."""

    def __init__(self, dept_names, dept_bases, team_names, team_dept, team_size, team_leaders):
        self.dept_names = np.asarray(dept_names, dtype=object)
        self.dept_bases = np.asarray(dept_bases, dtype=object)  # "Finance" for "Finance Noord"
        self.team_names = np.asarray(team_names, dtype=object)
        self.team_dept = np.asarray(team_dept)  # team -> dept index
        self.team_size = np.asarray(team_size)
        self.team_leaders = np.asarray(team_leaders)
        self.n_teams = len(team_names)
        # respondents, ordered by team; leaders first within a team
        self.resp_team = np.repeat(np.arange(self.n_teams), self.team_size)
        start = np.concatenate([[0], np.cumsum(self.team_size)[:-1]])
        pos = np.arange(len(self.resp_team)) - start[self.resp_team]
        self.resp_leader = pos < self.team_leaders[self.resp_team]
        self.n_resp = len(self.resp_team)
        self.small_team = self.n_teams - 1  # Legal is last


def _regular_departments(departments: int) -> list[tuple[str, str]]:
    """The ``departments - 1`` departments besides Legal, in order, as
    (name, the department whose teams and processes it has)."""
    bases = list(_BASES)
    plan = [(b, b) for b in bases]
    for region in _REGIONS:
        plan += [(f"{b} {region}", b) for b in bases]
    return plan[: departments - 1]


def _make_organisation(
    rng: np.random.Generator, n_respondents: int, regular: list[tuple[str, str]]
) -> _Org:
    depts = [name for name, _ in regular]
    bases = [base for _, base in regular]
    weights = np.array([_BASES[b][0] for b in bases])
    small_size = int(rng.integers(3, 5))  # 3 or 4
    small_leaders = int(rng.integers(1, 3))  # 1 or 2
    rest = n_respondents - small_size
    n_main = max(len(depts), round(rest / _RESPONDENTS_PER_TEAM))
    per_dept = _largest_remainder(weights, n_main, minimum=1)
    team_names, team_dept = [], []
    for d, (name, base, n) in enumerate(zip(depts, bases, per_dept, strict=True)):
        team_names += _unique_names(name, _BASES[base][1], int(n))
        team_dept += [d] * int(n)
    min_size = 8
    size_w = rng.gamma(5.0, size=n_main)
    sizes = min_size + rng.multinomial(rest - min_size * n_main, size_w / size_w.sum())
    leaders = np.clip(rng.binomial(sizes, _LEADER_SHARE), 2, sizes - 1)
    # the tiny department, last
    team_names.append(_SMALL_TEAM)
    team_dept.append(len(depts))
    sizes = np.append(sizes, small_size)
    leaders = np.append(leaders, small_leaders)
    return _Org(
        depts + [_SMALL_DEPARTMENT],
        bases + [_SMALL_DEPARTMENT],
        team_names,
        team_dept,
        sizes,
        leaders,
    )


class _Latent:
    """Team-level latent levels per wave (internal)."""


def _make_latent(rng: np.random.Generator, org: _Org, n_waves: int) -> _Latent:
    T, W = org.n_teams, n_waves
    t = np.arange(W, dtype=float)  # months since the first wave
    lat = _Latent()
    general = rng.normal(0.0, 0.45, size=T)  # a team's overall maturity
    lat.general = general
    # leader competency level: team x competency x wave
    base = np.array([_COMPETENCY_BASE[k] for k in COMPETENCIES])
    specific = rng.normal(0.0, 0.40, size=(T, len(COMPETENCIES)))
    drift = np.clip(rng.normal(0.025, 0.015, size=T), 0.0, None)
    lat.comp = (base + general[:, None] + specific)[:, :, None] + drift[:, None, None] * t
    # culture and pillars: team x key x wave, following maturity
    c_spec = rng.normal(0.0, 0.35, size=(T, len(CULTURE_TRAITS)))
    p_spec = rng.normal(0.0, 0.35, size=(T, len(PILLARS)))
    c_drift = np.clip(rng.normal(0.02, 0.012, size=T), 0.0, None)
    lat.culture = (3.1 + 0.7 * general[:, None] + c_spec)[:, :, None] + c_drift[:, None, None] * t
    lat.pillar = (3.2 + 0.6 * general[:, None] + p_spec)[:, :, None] + c_drift[:, None, None] * t
    # transformation phase: team x wave
    phase0 = 2.3 + 0.9 * general + rng.normal(0.0, 0.45, size=T)
    phase_rate = np.clip(rng.normal(0.09, 0.04, size=T), 0.0, None)
    lat.phase = phase0[:, None] + phase_rate[:, None] * t
    lat.usage_team = 0.6 * general + rng.normal(0.0, 0.3, size=T)
    # AI training: a respondent is trained from the wave where the rising
    # threshold passes their latent "reluctance" (so training is never undone).
    train_team = rng.normal(0.0, 0.9, size=T)
    reluctance = train_team[org.resp_team] + rng.normal(0.0, 0.7, size=org.n_resp)
    reluctance += np.where(org.resp_leader, 0.0, 0.5)  # employees follow later
    rate = 1.1 / max(W - 1, 11)
    threshold = -0.6 + rate * t
    lat.trained = reluctance[:, None] < threshold[None, :]  # respondent x wave
    # share of each team's leaders trained, per wave
    lead = org.resp_leader
    n_lead = np.bincount(org.resp_team[lead], minlength=T)
    lat.trained_share = (
        np.stack(
            [
                np.bincount(org.resp_team[lead], weights=lat.trained[lead, w], minlength=T)
                for w in range(W)
            ],
            axis=1,
        )
        / np.maximum(n_lead, 1)[:, None]
    )
    return lat


# --- processes ----------------------------------------------------------------------------


def _make_processes(
    rng: np.random.Generator, n_processes: int, regular: list[tuple[str, str]]
) -> pd.DataFrame:
    depts = [name for name, _ in regular] + [_SMALL_DEPARTMENT]
    bases = [base for _, base in regular] + [_SMALL_DEPARTMENT]
    weights = np.array([_BASES[b][0] for b in bases[:-1]] + [0.05])
    counts = _largest_remainder(weights, n_processes, minimum=1)
    dept_col, proc_col = [], []
    for d, base, n in zip(depts, bases, counts, strict=True):
        names = _unique_names("", _PROCESSES[base], int(n))
        dept_col += [d] * int(n)
        proc_col += names
    core = rng.random(n_processes) < 0.5
    # every department keeps at least one core process
    dept_arr = np.asarray(dept_col, dtype=object)
    for d in depts:
        idx = np.flatnonzero(dept_arr == d)
        if not core[idx].any():
            core[idx[0]] = True
    df = pd.DataFrame({"department": dept_col, "process": proc_col, "core": core})
    return df[list(PROCESS_COLUMNS)]


# --- use-case register ----------------------------------------------------------------------


def _workshop_scores(rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """Mean of 1-6 workshop votes around ``centre``, rounded to 2 decimals."""
    n = len(centre)
    n_votes = rng.integers(1, 7, size=n)
    votes = _likert(centre[:, None] + rng.normal(0.0, 0.8, size=(n, 6))).astype(float)
    votes[np.arange(6)[None, :] >= n_votes[:, None]] = np.nan
    return np.round(np.nanmean(votes, axis=1), 2)


def _make_use_cases(
    rng: np.random.Generator,
    org: _Org,
    lat: _Latent,
    processes: pd.DataFrame,
    n: int,
    n_waves: int,
    end: pd.Period,
) -> pd.DataFrame:
    end_day = np.datetime64(end.end_time.date(), "D")
    span_months = max(24, n_waves + 12)
    first_day = np.datetime64((end - (span_months - 1)).start_time.date(), "D")
    span = int((end_day - first_day) / np.timedelta64(1, "D"))  # days from first to last day

    status = np.repeat(
        np.array(STATUSES, dtype=object),
        _largest_remainder(np.array([_STATUS_SHARE[s] for s in STATUSES]), n, minimum=1),
    )
    status = rng.permutation(status)
    goal = rng.choice(np.array(GOALS, dtype=object), size=n, p=[_GOAL_SHARE[g] for g in GOALS])
    is_ = {s: status == s for s in STATUSES}

    # owning team: uneven activity; Legal rarely
    team_w = rng.gamma(1.5, size=org.n_teams)
    team_w[org.small_team] = 0.15 * team_w.mean()
    team = rng.choice(org.n_teams, size=n, p=team_w / team_w.sum())
    dept = org.team_dept[team]
    dept_name = org.dept_names[dept]

    # process: mostly from the catalogue of the same department
    proc_by_dept = processes.groupby("department", sort=False)["process"].apply(list).to_dict()
    u = rng.random(n)
    pick = rng.random(n)
    process = np.empty(n, dtype=object)
    for d in np.unique(dept_name):
        rows = np.flatnonzero(dept_name == d)
        names = np.asarray(proc_by_dept[d], dtype=object)
        process[rows] = names[(pick[rows] * len(names)).astype(int)]
    process[u < 0.07] = None  # not filled in
    process[(u >= 0.07) & (u < 0.12)] = "Overig"  # not in the catalogue
    technique = np.asarray(_TECHNIQUES, dtype=object)[rng.integers(0, len(_TECHNIQUES), size=n)]
    has_proc = pd.notna(process) & (process != "Overig")
    in_title = {p: p if p[:2].isupper() else p[:1].lower() + p[1:] for p in processes["process"]}
    in_title["Overig"] = ""
    proc_text = np.array([in_title.get(p, "") if p else "" for p in process], dtype=object)
    title = np.where(
        has_proc,
        technique + " voor " + proc_text,
        technique + " (" + org.team_names[team] + ")",
    )

    # --- dates (days since first_day) ---
    dd = np.where(
        is_["stopped"], 10 + rng.gamma(2.0, 30.0, size=n), 14 + rng.gamma(2.5, 30.0, size=n)
    )
    dd = np.where(is_["scaled"], dd + rng.gamma(2.0, 45.0, size=n), dd)
    dd = np.minimum(np.rint(dd), span - 30)
    # decided use cases: start early enough for the decision to fall before the end
    latest = span - dd
    start = np.rint(latest * rng.random(n) ** 0.75)
    # pilots: mostly recent, some stale; ideas: registered recently
    recent = span - np.rint(rng.gamma(2.0, 60.0, size=n))
    stale = span - np.rint(330 + 210 * rng.random(n))
    pilot_start = np.where(rng.random(n) < 0.12, stale, recent)
    start = np.where(is_["pilot"], pilot_start, start)
    start = np.where(is_["idea"], span - np.rint(240 * rng.random(n)), start)
    start = np.clip(start, 0, span)
    decision = np.where(is_["production"] | is_["scaled"] | is_["stopped"], start + dd, np.nan)
    # a few without decision_date (production, stopped), a few pilots with one
    for s, share in (("production", 0.06), ("stopped", 0.08)):
        rows = np.flatnonzero(is_[s])
        k = min(len(rows), max(1, round(share * len(rows)))) if len(rows) >= 5 else 0
        decision[rng.choice(rows, size=k, replace=False)] = np.nan
    pilots = np.flatnonzero(is_["pilot"])
    k = min(len(pilots), max(1, round(0.08 * len(pilots)))) if len(pilots) >= 5 else 0
    chosen = rng.choice(pilots, size=k, replace=False)
    decision[chosen] = start[chosen] + np.floor((span - start[chosen]) * rng.random(k))
    # first measurable effect: lognormal delay, censored by the end
    tti = np.rint(np.exp(rng.normal(np.log(110.0), 0.5, size=n)))
    impact_p = _lookup(_IMPACT_SHARE, status)
    impact = np.where((rng.random(n) < impact_p) & (start + tti <= span), start + tti, np.nan)

    def to_date(days: np.ndarray) -> np.ndarray:
        out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = ~np.isnan(days)
        out[ok] = (first_day + _days(days[ok])).astype("datetime64[ns]")
        return out

    start_date = to_date(start)

    # --- scores ---
    goal_lift = np.select([goal == "strategic", goal == "operational"], [0.7, 0.3], 0.0)
    impact_c = 3.0 + goal_lift + rng.normal(0.0, 0.8, size=n)
    effort_c = 2.6 + goal_lift + rng.normal(0.0, 0.8, size=n)
    scores = {
        "impact": _workshop_scores(rng, impact_c),
        "effort": _workshop_scores(rng, effort_c),
        "feasibility": _workshop_scores(rng, 3.5 - 0.4 * (effort_c - 3.0) + rng.normal(0, 0.6, n)),
        "urgency": _workshop_scores(rng, 3.0 + rng.normal(0.0, 0.9, size=n)),
    }
    no_potential = rng.random(n) < 0.15  # potential analysis not done
    potential = {}
    for col in ("repetition", "data_intensity", "error_sensitivity"):
        vals = _likert(3.2 + 0.3 * goal_lift + rng.normal(0.0, 1.0, size=n))
        potential[col] = _nullable(vals, no_potential | (rng.random(n) < 0.04))

    # --- money and ROI ---
    median = _lookup(_INVESTMENT_MEDIAN, goal)
    investment = median * np.exp(rng.normal(0.0, 0.7, size=n)) * np.where(is_["scaled"], 1.5, 1.0)
    investment = (np.maximum(np.rint(investment / 500.0), 1) * 500).astype(np.int64)
    ideas = np.flatnonzero(is_["idea"])
    if len(ideas):
        investment[rng.choice(ideas, size=min(len(ideas), n // 75), replace=False)] = 0

    # team levels at the start: latest wave on or before the start month (else the first)
    first_wave = end - (n_waves - 1)
    start_month = start_date.astype("datetime64[M]").astype(np.int64)
    first_month = np.datetime64(first_wave.start_time.date(), "M").astype(np.int64)
    wave_at_start = np.clip(start_month - first_month, 0, n_waves - 1)
    level = lat.comp[team, :, wave_at_start]  # n x competencies
    weights = np.array([_ROI_WEIGHTS[k] for k in COMPETENCIES])
    trained = lat.trained_share[team, wave_at_start]
    roi = (
        0.6
        + (level - 3.0) @ weights
        + 1.1 * trained
        + np.where(is_["stopped"], -0.35, 0.0)
        + rng.normal(0.0, 0.4, size=n)
    )
    roi = np.clip(roi, -0.8, 5.0)
    benefit_p = _lookup(_BENEFIT_SHARE, status)
    has_benefit = (rng.random(n) < benefit_p) & (investment > 0)
    benefit = np.rint(investment * (1.0 + roi) / 100.0).astype(np.int64) * 100

    width = max(4, len(str(n)))
    df = pd.DataFrame(
        {
            "use_case_id": [f"UC-{i:0{width}d}" for i in range(1, n + 1)],
            "title": title,
            "department": dept_name,
            "team": org.team_names[team],
            "goal": goal,
            "status": status,
            **scores,
            "start_date": start_date,
            "investment_eur": investment,
            "process": process,
            **potential,
            "decision_date": to_date(decision),
            "first_impact_date": to_date(impact),
            "annual_benefit_eur": _nullable(benefit, ~has_benefit, dtype="int64"),
        }
    )
    df = df.sort_values(["start_date", "use_case_id"], kind="stable")
    df["use_case_id"] = [f"UC-{i:0{width}d}" for i in range(1, n + 1)]  # ids in start order
    return df[list(USE_CASE_COLUMNS)].reset_index(drop=True)


# --- survey -------------------------------------------------------------------------------


def _make_survey(
    rng: np.random.Generator, org: _Org, lat: _Latent, n_waves: int, end: pd.Period
) -> pd.DataFrame:
    N, W = org.n_resp, n_waves
    # each respondent's own response propensity, mean _PARTICIPATION
    propensity = rng.beta(10.0 * _PARTICIPATION, 10.0 * (1.0 - _PARTICIPATION), size=N)
    answered = rng.random((W, N)) < propensity[None, :]
    w_idx, r_idx = np.nonzero(answered)  # wave-major order
    n_rows = len(r_idx)
    team = org.resp_team[r_idx]
    leader = org.resp_leader[r_idx]
    wf = w_idx.astype(float)

    waves = pd.period_range(end=end, periods=W, freq="M").strftime("%Y-%m").to_numpy(dtype=object)
    width = max(5, len(str(N)))
    ids = np.array([f"R{i:0{width}d}" for i in range(1, N + 1)], dtype=object)
    ids = ids[rng.permutation(N)]  # ids do not reveal the team

    # AI use: person latent + team + slow rise over time
    person_use = rng.normal(0.0, 1.0, size=N) + np.where(org.resp_leader, 0.3, 0.0)
    use = person_use[r_idx] + lat.usage_team[team] + 0.06 * wf + rng.normal(0.0, 0.5, size=n_rows)
    freq = np.asarray(FREQUENCIES, dtype=object)[np.searchsorted([-0.5, 0.3, 1.1], use)]
    is_it = org.dept_bases[org.team_dept] == "IT"  # IT and its regional offices
    person_skill = rng.normal(0.0, 1.0, size=N) + 0.9 * is_it[org.resp_team] + 0.3 * org.resp_leader
    skill_lat = person_skill[r_idx] + 0.02 * wf + rng.normal(0.0, 0.15, size=n_rows)
    skill = np.asarray(SKILL_LEVELS, dtype=object)[np.searchsorted([1.05, 1.9], skill_lat)]
    trained = lat.trained[r_idx, w_idx]
    trained_missing = rng.random(n_rows) < 0.01
    phase = _likert(
        lat.phase[team, w_idx]
        + rng.normal(0.0, 0.4, size=N)[r_idx]
        + rng.normal(0.0, 0.5, size=n_rows)
    )

    data: dict[str, object] = {
        "respondent_id": ids[r_idx],
        "wave": waves[w_idx],
        "department": org.dept_names[org.team_dept[team]],
        "team": org.team_names[team],
        "role": np.where(leader, "leader", "employee").astype(object),
        "ai_use_frequency": freq,
        "ai_skill_level": skill,
        "ai_training_done": pd.arrays.BooleanArray(trained, trained_missing),
        "team_phase": _nullable(phase, rng.random(n_rows) < 0.01),
    }
    # competency items: leaders only
    lead_rows = np.flatnonzero(leader)
    lr, lt, lw = r_idx[lead_rows], team[lead_rows], w_idx[lead_rows]
    for k, key in enumerate(COMPETENCIES):
        centre = lat.comp[lt, k, lw] + rng.normal(0.0, 0.35, size=N)[lr]
        for i in range(1, _N_ITEMS["comp"] + 1):
            vals = np.zeros(n_rows, dtype=np.int8)
            vals[lead_rows] = _likert(centre + rng.normal(0.0, 0.55, size=len(lead_rows)))
            missing = ~leader
            missing[lead_rows] = rng.random(len(lead_rows)) < _MISSING_ITEM
            data[f"comp_{key}_{i}"] = _nullable(vals, missing)
    # culture and pillar items: everyone
    tone = rng.normal(0.0, 0.4, size=N)[r_idx]  # a person's general tone
    for prefix, keys, levels in (
        ("culture", CULTURE_TRAITS, lat.culture),
        ("pillar", PILLARS, lat.pillar),
    ):
        for k, key in enumerate(keys):
            centre = levels[team, k, w_idx] + tone
            for i in range(1, _N_ITEMS[prefix] + 1):
                vals = _likert(centre + rng.normal(0.0, 0.6, size=n_rows))
                data[f"{prefix}_{key}_{i}"] = _nullable(vals, rng.random(n_rows) < _MISSING_ITEM)
    df = pd.DataFrame(data)
    return df[list(SURVEY_REQUIRED + SURVEY_OPTIONAL) + item_columns()]
