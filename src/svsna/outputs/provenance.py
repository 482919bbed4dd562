"""Run metadata and the methods and data-quality appendix.

The appendix says how every figure was made: the definitions and periods used,
completeness of key fields, the statistical methods behind the indicator table, the
disclosure control applied to the public edition and the svsna version; the full
(restricted) edition adds the row ledger of every input file and their SHA-256.

Examples
--------
>>> import hashlib, tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d) / "x.csv"; _ = p.write_bytes(b"abc")
...     file_sha256(p) == hashlib.sha256(b"abc").hexdigest()
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.outputs.catalogue import SECTION_TITLES
from svsna.outputs.content import Cell, Section, TableBlock, count_cell

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig
    from svsna.outputs.narrative import Sentence
    from svsna.outputs.public import PublicRelease
    from svsna.outputs.sections import Inputs

__all__ = ["METHOD_NOTES", "about_section", "collect_metadata", "file_sha256", "methods_section", "source_titles"]

#: Plain-English notes on the methods named in the indicator table's ``method`` column.
METHOD_NOTES: dict[str, str] = {
    "byar": "Rates per 1,000 residents; 95% confidence intervals by Byar's approximation to the exact Poisson "
    "limits (exact Poisson limits below 10 events), as in PHEindicatormethods and OHID Fingertips.",
    "exact poisson": "Rates with exact Poisson confidence limits (used below 10 events).",
    "wilson": "Percentages with Wilson score 95% confidence intervals.",
    "rate ratio": "Rate ratios and changes between periods with exact conditional (binomial) confidence intervals; "
    "a change is called significant only when its interval excludes no change.",
    "xmr": "Monthly series: XmR statistical process control as in NHS 'Making Data Count' (mean ± 2.66 × average "
    "moving range; special cause for points outside the limits, runs of 7 on one side of the mean, 7 rising or "
    "falling, or 2 of 3 near a limit).",
    "getis-ord": "Hot spots: Getis-Ord Gi* on LSOA counts with a false-discovery-rate correction for multiple "
    "testing; classes at 95%, 99% and 99.9%.",
    "fingertips": "Comparisons with England: Fingertips' single overlapping confidence interval method (an area is "
    "'similar' when England's value lies inside its 95% confidence interval).",
    "compare_to_benchmark": "Comparisons with England: Fingertips' single overlapping confidence interval method.",
    "count": "Counts of in-definition offences, involvements or events.",
    "mean": "Means of person-level measures (no confidence interval).",
    "weighted proportion": "Survey results weighted, with Wilson intervals on the Kish effective sample size.",
}


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@cache
def source_titles() -> dict[str, tuple[str, str]]:
    """``source -> (title, provider)`` from the shipped data contracts."""
    import yaml

    text = (resources.files("svsna") / "sources" / "contracts.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {k: (str(v.get("title", k)), str(v.get("provider", ""))) for k, v in (data.get("sources") or {}).items()}


def collect_metadata(config: AreaConfig, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fill in what the caller did not give: version, definitions, periods, input hashes."""
    from svsna import __version__

    meta = dict(metadata or {})
    meta.setdefault("svsna_version", __version__)
    meta.setdefault("definitions", list(config.definitions))
    periods = [f"{p.label}: {p.start:%d %b %Y} to {p.end:%d %b %Y}" for p in config.periods()]
    try:
        prof = config.profile()
        periods.append(f"Profile ({prof.label}): {prof.start:%d %b %Y} to {prof.end:%d %b %Y}")
    except Exception:  # no periods configured: nothing to add
        pass
    meta.setdefault("periods", periods)
    if "input_hashes" not in meta:
        hashes = {}
        for source in config.inputs:
            path = config.input_path(source)
            if path is not None and path.is_file():
                hashes[f"{source}: {path.name}"] = file_sha256(path)
        meta["input_hashes"] = hashes
    meta.setdefault("generated", dt.datetime.now(dt.UTC).strftime("%d %B %Y %H:%M UTC"))
    return meta


def _methods_used(table: pd.DataFrame, overrides: dict[str, str] | None = None) -> list[str]:
    """The notes of the methods named in ``table``; ``overrides`` (run metadata ``method_notes``) replace
    notes by key for an edition whose words differ (the open-data edition counts police.uk crimes)."""
    methods = [str(m) for m in table["method"].dropna().unique()]
    known = {**METHOD_NOTES, **(overrides or {})}
    notes: list[str] = []
    for key, note in known.items():
        if any(key in m.lower() for m in methods) and note not in notes:
            notes.append(note)
    other = [m for m in methods if not any(k in m.lower() for k in known)]  # a method with a note is not "other"
    if other:
        notes.append("Other methods named in the indicator table: " + "; ".join(sorted(other)) + ".")
    return notes


def _places(d: int) -> str:
    """``"whole numbers"`` or ``"1 decimal place"`` ...

    >>> _places(0), _places(1), _places(2)
    ('whole numbers', '1 decimal place', '2 decimal places')
    """
    return "whole numbers" if d == 0 else f"{d} decimal place{'' if d == 1 else 's'}"


def about_section(inp: Inputs, withheld: list[Sentence], release: PublicRelease) -> Section:
    """The public summary's short "About these figures" part (the full appendix is restricted).

    In words only: the definition by its title, the periods, the methods, the disclosure rule
    and the joint audit's result, and how many written findings were withheld. No data-quality
    views, file names, hashes, ledger detail or identifiers: those stay in the full edition.
    """
    from svsna.outputs.public import mean_decimals

    cfg = inp.config
    rs = release.rules
    facts = release.summary()
    sec = Section("about", "About these figures")
    sec.paragraphs.append("Serious violence is counted by the definition set out in the introduction.")
    periods = [str(p) for p in inp.metadata.get("periods") or []]
    if periods:
        sec.paragraphs.append("Periods: " + "; ".join(periods) + ".")
    sec.paragraphs.append(
        f"Rates are per {cfg.rate_multiplier:,} residents (ONS mid-year estimates). Confidence intervals are at "
        f"{cfg.confidence:.0%}; a difference is called statistically significant only when a test found one. "
        "Monthly trends use statistical process control (NHS 'Making Data Count'); hot spots use the Getis-Ord Gi* "
        "statistic with a correction for multiple testing."
    )
    sec.paragraphs.append(
        f"Disclosure control: {rs.description.rstrip('.')}. Source: {rs.source}. Rates, percentages, changes, "
        "ratios and their confidence intervals are computed from the published counts, so they reveal nothing the "
        "counts do not; each is shown only when every count it rests on is shown, and no comparison marker is "
        "shown next to a withheld value. A profile of a group of fewer than "
        f"{release.min_group_size} people is not published, and small categories are combined into 'Other'; "
        f"averages are shown to {_places(mean_decimals(release.min_group_size))}. "
        "Maps show rates and hot-spot classes, never counts. These rules apply to the partners' own data: figures "
        "taken from published statistics (ONS population estimates, the English indices of deprivation, OHID "
        "Fingertips and the other public indicators, the YEF Toolkit) are shown as their publishers give them. "
        "[c] marks a withheld value, [x] a value that is not available and [z] a combination that does not apply."
    )
    checked = int(facts.get("protected_counts", 0))
    extra = int(facts.get("secondary", 0))
    n = len(withheld)
    sec.paragraphs.append(
        "Everything in this public release (this summary, its workbook and its indicator table) was checked "
        "together: an audit of every total, breakdown and repeated count confirms that no withheld count can be "
        f"narrowed down to fewer than {rs.protection} possible values ({checked:,} withheld "
        f"count{'' if checked == 1 else 's'} checked; {extra:,} further count{'' if extra == 1 else 's'} withheld "
        f"to protect them). {n:,} written finding{' was' if n == 1 else 's were'} left out of this summary because "
        "they rest on figures that cannot be published. The data-quality checks and the technical appendix are in "
        "the restricted full assessment."
    )
    return sec


def methods_section(inp: Inputs, withheld: list[Sentence], release: PublicRelease | None = None) -> Section:
    """The full edition's appendix: definitions, periods, data quality, methods, disclosure control,
    the row ledger and input hashes.

    The public summary carries :func:`about_section` instead (no file names, hashes, ledger
    detail or identifiers). The open-data edition, whose inputs are public, uses this appendix
    in both editions (police.uk files are public: its public edition summarises the ledger).
    """
    from svsna.outputs.sections import definition_info
    from svsna.stats import RULE_SETS

    cfg = inp.config
    meta = inp.metadata
    sec = Section("methods", SECTION_TITLES["methods"])
    given = meta.get("definitions_table")  # the run's own table (the open-data edition's proxy groups)
    if given:
        rows: list[list[Cell | str]] = [[Cell(str(c)) for c in r] for r in given["rows"]]
        sec.add_table(TableBlock("definitions", str(given["caption"]), list(given["columns"]), rows, SOURCE_LINE))
    else:
        defs = []
        for d in meta.get("definitions", cfg.definitions):
            info = definition_info(str(d), cfg.base_dir)
            defs.append([str(info.get("name", d)), str(info.get("title", d)), str(info.get("version", ""))])
        sec.add_table(
            TableBlock(
                "definitions",
                "Serious violence definitions assessed",
                ["Name", "Definition", "Version"],
                defs,
                "svsna definitions",
            )
        )
    sec.bullets += [f"Period {p}" for p in meta.get("periods", [])]
    sec.bullets.append(f"Rates are per {cfg.rate_multiplier:,} residents; confidence level {cfg.confidence:.0%}.")
    # sections that did not run and inputs present but not (fully) usable: said where the reader of the
    # full edition looks for data quality, never left to a missing section (the public summary prints none)
    sec.bullets += [
        f"Data warning: {x.text}"
        for x in inp.sentences.get("data_quality", [])
        if x.text and x.finding.key in ("section_status", "input_warning")
    ]
    if inp.public and not meta.get("inputs_public"):
        sec.notes.append(
            "The row ledger of the input files and the list of input files are in the restricted full edition."
        )
    elif inp.ledger is not None and len(inp.ledger) and meta.get("ledger_detail") == "summary":
        sec.add_table(ledger_summary(inp))
    elif inp.ledger is not None and len(inp.ledger):
        rows = []
        for r in inp.ledger.itertuples(index=False):
            n = float(r.rows) if r.rows == r.rows else None
            rows.append(
                [
                    str(r.source),
                    str(r.file if r.file == r.file else ""),
                    str(r.outcome),
                    str(r.reason if r.reason == r.reason else ""),
                    count_cell(n),
                    str(r.definition if r.definition == r.definition else ""),
                ]
            )
        whole = TableBlock(
            "ledger",
            "Row ledger: rows read, loaded, rejected and excluded by input file",
            ["Source", "File", "Outcome", "Reason", "Rows", "Definition"],
            rows,
            "Partnership data supplied for this assessment",
            count_columns=(4,),
        )
        sec.add_table(ledger_by_file(whole, inp.ledger))
    else:
        sec.notes.append("No ingest ledger was supplied.")
    dq = inp.table[inp.table["section"] == "data_quality"]
    if len(dq):
        from svsna.outputs.views import add_indicator_views

        add_indicator_views(sec, dq, inp.table, inp.view)
    method_list = _methods_used(inp.table, meta.get("method_notes"))
    sec.html_extra += (
        "<h3>Statistical methods</h3><p>Statistical methods used in this report:</p><ul>"
        + "".join(f"<li>{_esc(m)}</li>" for m in method_list)
        + "</ul>"
    )
    rules = cfg.disclosure.rules
    rs = RULE_SETS.get(rules)
    # the description is a sentence ("Counts of 1 to 7 are not shown; ...") and the source's name carries
    # its own brackets, so the source is a sentence of its own rather than a bracket inside a bracket
    rule_text = f"{rs.description.rstrip('.')}. Source: {rs.source}." if rs is not None else "See svsna.stats.disclose."
    if inp.public:
        facts = release.summary() if release is not None else {}
        sec.html_extra += (
            f"<h3>Disclosure control</h3><p>Rule set <b>{_esc(rules)}</b>: {_esc(rule_text)} "
            "Rates, percentages, changes, ratios and their confidence intervals are computed from the "
            "published counts (after rounding), so they reveal nothing the counts do not; each is shown only "
            "when every count it rests on is shown, and no comparison marker is shown next to a withheld value. "
            f"A profile of a group of fewer than {cfg.disclosure.min_group_size} people is not published, and "
            "small categories are combined into 'Other'. Maps show rates and hot-spot classes, never counts.</p>"
            "<p>Everything in this public release (this summary, its workbook and its indicator table) was checked "
            "together: a linear-programming audit of every total, breakdown and repeated count confirms that no "
            f"withheld count can be narrowed down to fewer than {facts.get('protection', '')} possible values "
            f"({facts.get('protected_counts', 0):,} withheld counts checked; "
            f"{facts.get('secondary', 0):,} further counts withheld to protect them). "
            f"{len(withheld)} written findings were withheld from this edition.</p>"
        )
    else:
        sec.html_extra += (
            "<h3>Disclosure control</h3><p>This full edition is <b>not</b> disclosure-controlled: "
            f"{_esc(meta.get('full_edition_note') or 'it shows exact counts and is restricted to partners.')} "
            f"The public summary applies rule set <b>{_esc(rules)}</b>: {_esc(rule_text)} Its figures were audited "
            "jointly before publication.</p>"
        )
        hashes = meta.get("input_hashes") or {}
        if hashes:
            sec.add_table(
                TableBlock(
                    "hashes",
                    "Input files (SHA-256)",
                    ["Input", "SHA-256"],
                    [[k, Cell(v, "hash")] for k, v in hashes.items()],
                    "svsna",
                )
            )
    sec.bullets.append(f"Produced by svsna {meta.get('svsna_version', '')} on {meta.get('generated', '')}.")
    return sec


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def sections_present(sections: list[Section]) -> list[str]:
    """Keys of sections that show data (for the contents and tests)."""
    return [s.key for s in sections if s.blocks or s.sentences]


SOURCE_LINE = "svsna run metadata"


_OUTCOMES = ("read", "loaded", "rejected")


def ledger_by_file(whole: TableBlock, ledger: pd.DataFrame) -> TableBlock:
    """The row ledger as the full SNA prints it: one row per input file, its rows read, loaded and
    rejected and the rows each definition excluded (sums of the ledger's rows); ``whole`` (a row
    per reason) goes to the workbook.

    A blank cell: the ledger has no row of that outcome for the file; rejected rows are 0 when none
    is listed (the ledger lists every rejection with its reason).

    >>> import pandas as pd
    >>> led = pd.DataFrame({"source": ["offences"] * 5, "file": ["o.csv"] * 5,
    ...     "outcome": ["read", "loaded", "rejected", "rejected", "excluded"],
    ...     "reason": ["csv", "", "bad date", "bad code", "domestic"], "rows": [10, 7, 2, 1, 4],
    ...     "definition": ["", "", "", "", "vrn"]})
    >>> t = ledger_by_file(TableBlock("ledger", "Row ledger", ["Source"], [["x"]] * 5, "svsna"), led)
    >>> t.columns, [c.text for c in t.rows[0][2:]], len(t.whole.rows)
    (['Source', 'File', 'Read', 'Loaded', 'Rejected', 'Excluded (definition vrn)'], ['10', '7', '3', '4'], 5)
    """
    led = ledger.assign(
        **{c: ledger[c].fillna("").astype(str) for c in ("source", "file", "outcome", "reason", "definition")}
    )
    totals: dict[tuple[str, str, str, str], float] = {}
    for r in led.itertuples(index=False):
        k = (r.source, r.file, r.outcome, r.definition if r.outcome == "excluded" else "")
        totals[k] = totals.get(k, 0.0) + (float(r.rows) if r.rows == r.rows else 0.0)
    excluded = list(dict.fromkeys(led.loc[led["outcome"] == "excluded", "definition"]))
    others = [o for o in dict.fromkeys(led["outcome"]) if o not in (*_OUTCOMES, "excluded")]
    present = [o for o in _OUTCOMES if o in set(led["outcome"]) or o == "rejected"]
    kinds = [(o, "") for o in present] + [("excluded", d) for d in excluded] + [(o, "") for o in others]
    columns = ["Source", "File", *[o.capitalize() for o in present]]
    columns += [f"Excluded (definition {d})" if d else "Excluded" for d in excluded]
    columns += [o.capitalize() for o in others]
    out: list[list[Cell | str]] = []
    for source, file in dict.fromkeys(zip(led["source"], led["file"], strict=True)):
        # a source with no file (not supplied) says why in its file's place
        why = led.loc[(led["source"] == source) & (led["file"] == file), "reason"].iloc[0]
        line: list[Cell | str] = [source, file or why]
        took = any(totals.get((source, file, o, "")) for o in ("read", "loaded"))
        for outcome, d in kinds:
            total = totals.get((source, file, outcome, d))
            value = float(total) if total is not None else (0.0 if outcome == "rejected" and took else None)
            line.append(count_cell(value))
        out.append(line)
    return whole.shorten(
        out,
        f"one row per input file ({len(out):,})",
        columns=columns,
        notes="Rows excluded are counted for each definition separately. The reason for every rejection and "
        "exclusion is in the workbook.",
        count_columns=tuple(range(2, len(columns))),
    )


def ledger_summary(inp: Inputs) -> TableBlock:
    """Rows read, loaded, excluded and rejected over all files, by reason (run metadata
    ``ledger_detail: summary``; counts rounded in the public summary)."""
    from svsna.outputs.public import count_rule

    led = inp.ledger
    assert led is not None
    rule = count_rule(inp.config.disclosure.rules) if inp.public else None
    grouped = led.groupby(["source", "outcome", "reason"], sort=False, dropna=False)["rows"].sum()
    rows: list[list[Cell | str]] = []
    for (_source, outcome, reason), n in grouped.items():
        shown = rule(float(n)) if rule is not None else float(n)
        text = "" if reason != reason or outcome in ("read", "loaded") else str(reason)
        count = count_cell(shown, "[c]")
        rows.append([str(outcome), text.removeprefix(f"{outcome}: "), count])
    return TableBlock(
        "ledger",
        f"Row ledger: rows read, loaded, excluded and rejected in {led['file'].nunique()} input files",
        ["Outcome", "Reason", "Number (rounded)" if inp.public else "Rows"],
        rows,
        "svsna ledger (per file in ledger.csv and the workbook)",
        count_columns=(2,),
    )
