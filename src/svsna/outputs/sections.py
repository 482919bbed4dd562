"""The sections of the SNA, in the order of the reference summary, built from the inputs.

Each builder takes the :class:`Inputs` (edition-specific indicator view, printed
findings, configuration, ledger, metadata) and returns a :class:`Section`, or a section
holding only a note when its data are absent: a section never crashes the report and
never shows a figure that is not in the inputs.

Examples
--------
>>> [k for k, _ in SECTION_ORDER][:4]
['introduction', 'data_sources', 'population', 'extent']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from svsna.outputs.catalogue import SECTION_TITLES
from svsna.outputs.content import Cell, Section, TableBlock
from svsna.outputs.narrative import Callout
from svsna.outputs.views import ViewContext, add_indicator_views, risk_factor_table
from svsna.outputs.wording import fmt_count

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig
    from svsna.outputs.narrative import Sentence

__all__ = ["SECTION_ORDER", "Inputs", "build_sections", "definition_info"]

#: Sections in reading order, with the indicator-table sections each one shows.
SECTION_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("introduction", ()),
    ("data_sources", ()),
    ("population", ("population",)),
    ("extent", ("extent",)),
    ("nature", ("nature",)),
    ("health", ("health",)),
    ("timing", ("timing",)),
    ("nte", ("nte",)),
    ("geography", ("geography",)),
    ("perpetrators", ("perpetrators",)),
    ("cohorts", ("cohorts",)),
    ("victims", ("victims",)),
    ("risk_factors", ("risk_factors",)),
    ("surveys", ("surveys",)),
    ("prevention", ("interventions",)),
    ("recommendations", ("recommendations",)),
)


@dataclass
class Inputs:
    """Everything the section builders read, for one edition."""

    table: pd.DataFrame
    config: AreaConfig
    view: ViewContext
    sentences: dict[str, list[Sentence]]
    ledger: pd.DataFrame | None
    metadata: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return self.view.public

    def rows(self, sections: tuple[str, ...]) -> pd.DataFrame:
        return self.table[self.table["section"].isin(sections)]

    def printed(self, sections: tuple[str, ...]) -> list[str]:
        out = []
        for s in sections:
            out += [x.text for x in self.sentences.get(s, []) if x.text and x.finding.key not in _STRUCTURED_KEYS]
        if self.public and len(out) > PUBLIC_SENTENCES:
            out = out[:PUBLIC_SENTENCES]  # the summary keeps the first findings of each section (analysis order)
        return out


#: Written findings per section in the public summary (the full SNA prints them all).
PUBLIC_SENTENCES = 8

# Findings drawn as tables/lists rather than printed as sentences.
_STRUCTURED_KEYS = frozenset(
    {
        "yef_evidence_table",
        "cdc_strategies",
        "need_approaches",
        "recommendation",
        "risk_factor_comparison",
        "survey_result",
        "trend_events",
    }
)


def definition_info(name: str) -> dict[str, Any]:
    """The shipped definition YAML (title, crime groups, offence codes) or a stub naming it."""
    import yaml

    path = resources.files("svsna") / "definitions" / "data" / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError):
        return {"name": name, "title": name}
    return data if isinstance(data, dict) else {"name": name, "title": name}


def _offence_names(codes: list[str]) -> list[str]:
    from svsna.codelists import load_codelist

    try:
        cl = load_codelist("ho_offence_codes")
    except Exception:  # a missing code list must not stop the report
        return [str(c) for c in codes]
    names = dict(zip(cl["code"].astype(str), cl["description"].astype(str), strict=True))
    return [f"{names.get(str(c), 'code ' + str(c))} ({c})" for c in codes]


def _introduction(inp: Inputs, sec: Section) -> None:
    cfg = inp.config
    d = definition_info(cfg.primary_definition)
    sec.paragraphs += [
        f"This Strategic Needs Assessment (SNA) describes serious violence across {cfg.name} ({cfg.label}): its "
        "extent, nature, timing and geography, the people most affected as victims and perpetrators, and the risk "
        "and protective factors behind it, so that partners can plan prevention where it is most needed.",
        "It follows the World Health Organization's public health approach to violence: define the problem "
        "through systematic data collection; identify risk and protective factors; develop and evaluate "
        "interventions; and scale up what works.",
        (
            f"This is the public executive summary. Small numbers are suppressed and counts are rounded "
            f"(rule set '{cfg.disclosure.rules}') so that no individual can be identified."
            if inp.public
            else "This is the full SNA for partners. It contains unrounded figures and is restricted: "
            "do not publish it. A disclosure-controlled executive summary is produced alongside it."
        ),
    ]
    rows = [["Definition", str(d.get("title", cfg.primary_definition))]]
    if d.get("crime_groups"):
        rows.append(["Crime groups", ", ".join(map(str, d["crime_groups"]))])
    codes = (d.get("criteria") or {}).get("offence_codes") or []
    if codes:
        rows.append(["Home Office offence codes", "; ".join(_offence_names(codes))])
    rows.append(["Priority focus", f"Serious violence by or against a person under {cfg.age_focus_under}"])
    rows.append(["Night-time economy", cfg.night_time_economy.label])
    sec.add_table(
        TableBlock(
            "definition",
            "Serious violence definition used in this assessment",
            ["", "Details"],
            rows,
            str(d.get("source", "svsna definitions")).strip(),
        )
    )


def _data_sources(inp: Inputs, sec: Section) -> None:
    from svsna.outputs.provenance import source_titles

    titles = source_titles()
    ledger = inp.ledger
    if ledger is None or not len(ledger):
        sec.notes.append("No ingest ledger was supplied, so the data sources cannot be listed.")
        return
    rows = []
    for src, grp in ledger.groupby("source", sort=False):
        title, provider = titles.get(str(src), (str(src), ""))
        loaded = grp.loc[grp["outcome"] == "loaded", "rows"].sum()
        row: list[Cell | str] = [title, provider]
        if not inp.public:
            row.append(Cell(fmt_count(loaded), "num count"))
        rows.append(row)
    cols = ["Data", "Provider"] + ([] if inp.public else ["Rows loaded"])
    sec.paragraphs.append("The following data sources are used in this document:")
    sec.add_table(TableBlock("data-sources", "Data sources", cols, rows, "svsna ingest ledger"))


def _prevention(inp: Inputs, sec: Section) -> None:
    sec.paragraphs.append(
        "Violence is preventable. Prevention works on risk factors that can be changed and on protective factors "
        "that can be strengthened, across the life course and at every level of prevention. The evidence below "
        "is from the Youth Endowment Fund (YEF) Toolkit and the Centers for Disease Control and Prevention (CDC)."
    )
    findings = [s.finding for s in inp.sentences.get("interventions", []) if s.text]
    for f in findings:
        if f.key == "yef_evidence_table":
            rows = [
                [
                    str(a.get("approach", "")),
                    str(a.get("impact", "")),
                    str(a.get("evidence_quality", "")),
                    str(a.get("cost", "")),
                ]
                for a in f.numbers.get("approaches", [])
            ]
            if rows:
                sec.add_table(
                    TableBlock(
                        "yef",
                        "Approaches to preventing serious violence: YEF Toolkit ratings",
                        ["Approach", "Estimated impact", "Evidence quality", "Cost"],
                        rows,
                        "Youth Endowment Fund Toolkit",
                    )
                )
        elif f.key == "cdc_strategies":
            for s in f.numbers.get("strategies", []):
                sec.bullets.append(f"{s.get('strategy', '')}: {s.get('approaches', '')}".strip(": "))
        elif f.key == "need_approaches":
            apps = ", ".join(str(a.get("approach", "")) for a in f.numbers.get("approaches", []))
            if apps:
                sec.sentences.append(f"{f.numbers.get('need', f.text)}: approaches with evidence include {apps}.")
    if not findings:
        sec.notes.append("No intervention evidence was supplied with the findings (section 'interventions').")


def _recommendations(inp: Inputs, sec: Section) -> None:
    recs = [s for s in inp.sentences.get("recommendations", []) if s.text and s.finding.key == "recommendation"]
    if not recs:
        sec.notes.append("No recommendations were supplied with the findings (section 'recommendations').")
        return
    by_level: dict[str, list[tuple[int, str]]] = {}
    for s in recs:
        level = str(s.finding.numbers.get("level", "strategic"))
        by_level.setdefault(level, []).append((int(s.finding.numbers.get("order", 0) or 0), s.text or ""))
    n = 0
    for level in sorted(by_level, key=lambda x: (x != "strategic", x)):
        items = [t for _, t in sorted(by_level[level], key=lambda p: p[0])]
        sec.html_extra += f"<h3>{level.capitalize()}-level recommendations</h3><ol start='{n + 1}'>"
        sec.html_extra += "".join(f"<li>{_esc(t)}</li>" for t in items) + "</ol>"
        n += len(items)


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def _risk_factors(inp: Inputs, sec: Section, rows: pd.DataFrame) -> None:
    sec.paragraphs.append(
        "A risk factor makes it more likely that a person becomes a victim or perpetrator of violence; a protective "
        "factor makes it less likely or buffers against risk. Risk factors are not deterministic and must not be "
        "used to label individuals. Values in the area are compared with England: a difference is called "
        "significant only when England's value lies outside the area's 95% confidence interval."
    )
    if not len(rows):
        return
    labelled = rows.assign(indicator=rows["indicator"].astype(str).map(lambda i: inp.labels.get(i, i)))
    by_domain = labelled["breakdown"] == "domain"
    other = labelled[~by_domain]
    if len(other):
        group = other["breakdown_value"].astype(str)
        other = other.assign(
            indicator=other["indicator"].where(group == "all", other["indicator"] + " (" + group + ")"),
            breakdown_value="all",
        )
    groups = [g for _, g in labelled[by_domain].groupby("breakdown_value", sort=False)]
    if len(other):
        groups.append(other)
    for g in groups:
        t = risk_factor_table([g], inp.view)
        dom = str(g["breakdown_value"].iloc[0])
        if dom and dom != "all":
            t.caption = f"{dom.capitalize()} risk and protective factors compared with England, {inp.config.label}"
            t.key = f"risk-factors-{dom}"
        sec.add_table(t)


def _surveys(inp: Inputs, sec: Section, rows: pd.DataFrame) -> None:
    """One table per survey: questions down, all respondents and each group across."""
    from svsna.outputs.views import fmt_value

    if not len(rows):
        return
    sec.paragraphs.append(
        "Percentages of respondents giving a positive answer, weighted where the survey has weights; "
        "95% confidence intervals use the effective sample size and are in the workbook."
    )
    for survey, grp in rows.groupby("period", sort=False):
        groups = ["all", *[v for v in dict.fromkeys(grp["breakdown_value"].astype(str)) if v != "all"]]
        out = []
        for ind, q in grp.groupby("indicator", sort=False):
            by = dict(zip(q["breakdown_value"].astype(str), q["value"], strict=True))
            question = str(ind).removeprefix("survey_").replace("_", " ").capitalize()
            out.append([question, *[Cell(fmt_value(by.get(g), "percent"), "num") for g in groups]])
        cols = ["Question", *["All respondents" if g == "all" else g for g in groups]]
        sec.add_table(
            TableBlock(f"survey-{len(sec.blocks)}", f"{survey}: positive answers (%)", cols, out, str(survey))
        )


def build_sections(inp: Inputs, headline: list[Callout]) -> list[Section]:
    """All sections in order; absent data give a short note instead of content."""
    out = []
    for key, table_sections in SECTION_ORDER:
        sec = Section(key, SECTION_TITLES.get(key, key.replace("_", " ").capitalize()))
        builder: Callable[..., None] | None = {
            "introduction": _introduction,
            "data_sources": _data_sources,
            "prevention": _prevention,
            "recommendations": _recommendations,
        }.get(key)
        if builder is not None:
            builder(inp, sec)
        else:
            rows = inp.rows(table_sections)
            sec.callouts += [c for c in headline if c.section in table_sections]
            called_out = {c.text for c in sec.callouts}
            sec.sentences += [t for t in inp.printed(table_sections) if t not in called_out]
            if key == "risk_factors":
                _risk_factors(inp, sec, rows)
            elif key == "surveys":
                _surveys(inp, sec, rows)
            elif len(rows):
                add_indicator_views(sec, rows, inp.table, inp.view)
            if not len(rows) and not sec.sentences:
                sec.notes.append(
                    f"No {sec.title.lower()} indicators were supplied for this assessment, so this section is left "
                    "out. (Run `svsna assess` with the data this section needs.)"
                )
        out.append(sec)
    return out
