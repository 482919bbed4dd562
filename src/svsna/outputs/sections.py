"""The sections of the SNA, in the order of the reference summary, built from the inputs.

Each builder takes the :class:`Inputs` (edition-specific indicator view, printed
findings, configuration, ledger, metadata) and fills a :class:`Section`; a section whose
data are absent is left out and named in a note: a section never crashes the report and
never shows a figure that is not in the inputs.

Each data section holds, in order: the partnership's own commentary (``report.commentary``
in ``area.yaml``, inserted verbatim), the written findings (one sentence per finding, from
its template), the charts and tables, and a note of what is not available. The public
summary prints only the findings its templates mark for the summary and draws only the
views of :data:`svsna.outputs.views.PUBLIC_VIEWS`.

Examples
--------
>>> [k for k, _ in SECTION_ORDER][:4]
['introduction', 'data_sources', 'population', 'extent']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.definitions.evidence import NOT_AVAILABLE as NOT_RATED
from svsna.outputs.catalogue import SECTION_TITLES, display_value, survey_question
from svsna.outputs.content import Cell, Section, TableBlock, count_cell
from svsna.outputs.narrative import Callout
from svsna.outputs.views import (
    ViewContext,
    add_indicator_views,
    add_public_views,
    label_unit,
    risk_factor_table,
    value_cell,
)
from svsna.outputs.wording import fmt_count, join_words

if TYPE_CHECKING:
    import pandas as pd

    from svsna.config import AreaConfig
    from svsna.outputs.narrative import Sentence

__all__ = ["SECTION_ORDER", "Inputs", "build_sections", "definition_info", "markdown_html"]

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

#: Section keys ``report.commentary`` may name.
COMMENTARY_KEYS: tuple[str, ...] = (*[k for k, _ in SECTION_ORDER], "methods", "contact")


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
    units: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # an area indicator's printed source, by id

    @property
    def public(self) -> bool:
        return self.view.public

    def rows(self, sections: tuple[str, ...]) -> pd.DataFrame:
        return self.table[self.table["section"].isin(sections)]

    def printed(self, sections: tuple[str, ...]) -> list[str]:
        """The sentences this edition prints for ``sections``, in analysis order."""
        from svsna.outputs.sentences import TEMPLATES

        out: list[tuple[int, str]] = []
        for s in sections:
            mine = [x for x in self.sentences.get(s, []) if x.text and x.finding.key not in _STRUCTURED_KEYS]
            if self.public:
                # a finding repeated over periods (e.g. each year's change) is summarised by its latest,
                # per source, survey and definition (the open-data edition shows every proxy group)
                def slot(x: Sentence) -> tuple[str, ...]:
                    n, definition = x.finding.numbers, str(x.finding.definition or "")
                    return (x.finding.key, str(n.get("source", "")), str(n.get("survey", "")), definition)

                latest: dict[tuple[str, ...], Sentence] = {slot(x): x for x in mine}
                mine = [x for x in mine if latest[slot(x)] is x]
            for x in mine:
                tpl = TEMPLATES.get(x.finding.key)
                if self.public and tpl is not None and not tpl.summary:
                    continue
                if x.text not in [t for _, t in out]:
                    out.append((tpl.rank if tpl is not None else 50, x.text))
        if self.public and len(out) > PUBLIC_SENTENCES:
            keep = {t for _, t in sorted(out, key=lambda rt: rt[0])[:PUBLIC_SENTENCES]}
            out = [(r, t) for r, t in out if t in keep]  # the most important, in reading order
        return [t for _, t in out]

    def not_available(self, sections: tuple[str, ...]) -> list[str]:
        """Topics whose finding could not be written because a number it needs was not supplied."""
        out = []
        for s in sections:
            for x in self.sentences.get(s, []):
                if x.text is None and x.missing and x.topic and x.topic not in out:
                    out.append(x.topic)
        return out


#: Written findings per section in the public summary (the full SNA prints them all).
PUBLIC_SENTENCES = 7

# Findings drawn as tables/lists rather than printed as sentences (or printed by their own builder).
#: Findings the editions show from the indicator rows (a table), never as a sentence of their own.
SHOWN_FROM_ROWS = frozenset({"survey_result"})
_STRUCTURED_KEYS = frozenset(
    {
        "yef_evidence_table",
        "cdc_strategies",
        "need_approaches",
        "need_identified",
        "recommendation",
        "risk_factor_comparison",
        *SHOWN_FROM_ROWS,
    }
)


def markdown_html(text: str | None) -> str:
    """Markdown from ``area.yaml`` as HTML, with raw HTML in it escaped (never passed through).

    >>> markdown_html("**Contact** us at <b>x</b>")
    '<p><strong>Contact</strong> us at &lt;b&gt;x&lt;/b&gt;</p>\\n'
    """
    if not text:
        return ""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return md.render(str(text))


def definition_info(name: str, base_dir: Any = None) -> dict[str, Any]:
    """The definition (title, crime groups, offence codes, source) by name or path, or a stub naming it."""
    from svsna.definitions.definition import load_definition
    from svsna.errors import SvsnaError

    try:
        d = load_definition(name, base_dir=base_dir)
    except (SvsnaError, OSError, ValueError):
        return {"name": name, "title": name}
    data = d.model_dump()
    crit = data.get("criteria")
    if isinstance(crit, dict):
        data["criteria"] = crit
    return data


def _offence_names(codes: list[str]) -> list[str]:
    from svsna.codelists import load_codelist

    try:
        cl = load_codelist("ho_offence_codes")
    except (FileNotFoundError, OSError, KeyError, ValueError):  # a missing code list must not stop the report
        return [str(c) for c in codes]
    names = dict(zip(cl["code"].astype(str), cl["description"].astype(str), strict=True))
    return [f"{names.get(str(c), 'code ' + str(c))} ({c})" for c in codes]


def _introduction(inp: Inputs, sec: Section) -> None:
    cfg = inp.config
    d = definition_info(cfg.primary_definition, cfg.base_dir)
    who = cfg.partnership
    sec.paragraphs += [
        f"This Strategic Needs Assessment (SNA) by {who} describes serious violence across {cfg.name}: its extent, "
        "nature, timing and geography, the people most affected as victims and perpetrators, and the risk and "
        "protective factors behind it, so that partners can plan prevention where it is most needed.",
        "It follows the World Health Organization's public health approach to violence: define the problem "
        "through systematic data collection; identify risk and protective factors; develop and evaluate "
        "interventions; and scale up what works.",
        (
            "This is the public summary. Small numbers are suppressed and counts are rounded so that no individual "
            "can be identified; the full assessment, for partners, holds the detail behind it."
            if inp.public
            else "This is the full SNA for partners. It contains unrounded figures and is restricted: do not "
            "publish it. A disclosure-controlled public summary is produced alongside it."
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
    source = str(d.get("source", "")).strip()
    sec.add_table(
        TableBlock(
            "definition",
            "Serious violence definition used in this assessment",
            ["Item", "Details"],
            rows,
            source or "The partnership's own definition (area.yaml)",
        )
    )


def _data_sources(inp: Inputs, sec: Section) -> None:
    from svsna.outputs.provenance import source_titles

    titles = source_titles()
    ledger = inp.ledger
    if ledger is None or not len(ledger):
        sec.notes.append("No ingest ledger was supplied, so the data sources cannot be listed.")
        return
    rows, not_supplied, unused = [], [], []
    for src, grp in ledger.groupby("source", sort=False):
        title, provider = titles.get(str(src), (str(src), ""))
        loaded = grp.loc[grp["outcome"] == "loaded", "rows"].sum()
        if not loaded:  # listed as read, but nothing of it is in this document
            supplied = not (grp["reason"].fillna("").astype(str) == "not supplied").any()
            (unused if supplied else not_supplied).append(title)
            continue
        row: list[Cell | str] = [title, provider]
        if not inp.public:
            row.append(count_cell(loaded))
        rows.append(row)
    cols = ["Data", "Provider"] + ([] if inp.public else ["Rows loaded"])
    if rows:
        sec.paragraphs.append("The following data sources are used in this document:")
        sec.add_table(
            TableBlock("data-sources", "Data sources", cols, rows, "Partnership data supplied for this assessment")
        )
    if not_supplied:
        sec.paragraphs.append(f"Not supplied, so not used in this document: {join_words(not_supplied)}.")
    if unused:
        sec.paragraphs.append(f"Supplied, but with no rows that could be used: {join_words(unused)}.")


def _prevention(inp: Inputs, sec: Section) -> None:
    sec.paragraphs.append(
        "Violence is preventable. Prevention works on risk factors that can be changed and on protective factors "
        "that can be strengthened, across the life course and at every level of prevention. The evidence below "
        "is from the Youth Endowment Fund (YEF) Toolkit and the Centers for Disease Control and Prevention (CDC)."
    )
    findings = [s.finding for s in inp.sentences.get("interventions", []) if s.text]
    for f in findings:
        if f.key == "yef_evidence_table":
            approaches = list(f.numbers.get("approaches", []))
            fields = [
                ("approach", "Approach"),
                ("impact", "Estimated impact"),
                ("evidence_quality", "Evidence quality"),
            ]
            # a Cost column only when some approach has a rating: a column of "Not available" says nothing
            if any(str(a.get("cost", "")).strip() not in ("", NOT_RATED) for a in approaches):
                fields.append(("cost", "Cost"))
            rows = [[str(a.get(k, "")) for k, _ in fields] for a in approaches]
            if rows:
                costs = any(k == "cost" for k, _ in fields)
                sec.add_table(
                    TableBlock(
                        "yef",
                        "Approaches to preventing serious violence: YEF Toolkit ratings",
                        [h for _, h in fields],
                        rows,
                        "Youth Endowment Fund Toolkit",
                        notes="" if costs else "Cost ratings are not shown: the evidence data supplied has none.",
                    )
                )
        elif f.key == "cdc_strategies":
            for s in f.numbers.get("strategies", []):
                sec.bullets.append(f"{s.get('strategy', '')}: {s.get('approaches', '')}".strip(": "))
        elif f.key == "need_approaches" and not inp.public:  # the summary keeps the CDC and YEF evidence
            apps = [str(a.get("approach", "")) for a in f.numbers.get("approaches", []) if a.get("approach")]
            need = f.numbers.get("need")
            if apps and need:
                sec.sentences.append(f"{need}: approaches with evidence include {join_words(apps)}.")
    if not findings:
        sec.notes.append("No intervention evidence was supplied with the findings.")


def recommendation_items(inp: Inputs) -> list[dict[str, Any]]:
    """Recommendations numbered once for both editions: strategic first, then by the rule's order.

    Each item has ``number``, ``level``, ``text`` (None when withheld from this edition),
    ``standing`` (fires whatever the data say) and ``rests_on`` (the printed sentences of
    the findings it rests on).
    """
    all_recs = [s for s in inp.sentences.get("recommendations", []) if s.finding.key == "recommendation"]
    printed = {}
    for ss in inp.sentences.values():
        for x in ss:
            if x.text:
                printed.setdefault((x.finding.section, x.finding.key), x.text)

    def sort_key(s: Sentence) -> tuple[Any, ...]:
        n = s.finding.numbers
        if isinstance(n.get("number"), int | float):
            return (0, int(n["number"]), "")
        return (str(n.get("level", "strategic")) != "strategic", int(n.get("order", 0) or 0), str(n.get("rule_id", "")))

    out = []
    for i, s in enumerate(sorted(all_recs, key=sort_key), start=1):
        n = s.finding.numbers
        number = int(n["number"]) if isinstance(n.get("number"), int | float) else i  # the analysis numbers them once
        triggers = [t for t in n.get("triggered_by") or [] if isinstance(t, dict)]
        rests = []
        for t in triggers:
            text = printed.get((str(t.get("section", "")), str(t.get("key", ""))))
            if text and text not in rests:
                rests.append(text)
        standing = n.get("standing")
        out.append(
            {
                "number": number,
                "level": str(n.get("level", "strategic")),
                "text": s.text,
                "standing": bool(standing) if isinstance(standing, bool) else not triggers,
                "rests_on": rests,
                "triggered": bool(triggers),
            }
        )
    return out


def _recommendations(inp: Inputs, sec: Section) -> None:
    from html import escape

    items = recommendation_items(inp)
    if not items:
        sec.notes.append("No recommendations were supplied with the findings.")
        return
    sec.paragraphs.append(
        "Recommendations are numbered the same way in the public summary and the full assessment. Each says the "
        "finding it rests on; standing recommendations apply whatever this year's data show."
    )
    for level in dict.fromkeys(i["level"] for i in items):
        mine = [i for i in items if i["level"] == level]
        sec.html_extra += (
            f"<h3>{escape(level.capitalize())}-level recommendations</h3><ol class='recs' start='{mine[0]['number']}'>"
        )
        for it in mine:
            text = it["text"] or "Withheld from this edition (it quotes a figure too small to publish)."
            if it["standing"]:
                basis = "<span class='basis'>Standing recommendation: not derived from this assessment's data.</span>"
            elif it["rests_on"]:
                basis = "<span class='basis'>Rests on: " + escape(" ".join(it["rests_on"])) + "</span>"
            else:
                basis = "<span class='basis'>Rests on a finding not printed in this edition.</span>"
            sec.html_extra += f"<li>{escape(text)} {basis}</li>"
        sec.html_extra += "</ol>"


def _risk_factors(inp: Inputs, sec: Section, rows: pd.DataFrame) -> None:
    sec.paragraphs.append(
        "A risk factor makes it more likely that a person becomes a victim or perpetrator of violence; a protective "
        "factor makes it less likely or buffers against risk. Risk factors are not deterministic and must not be "
        "used to label individuals. Values in the area are compared with England: a difference is called "
        f"significant only when England's value lies outside the area's {inp.view.ci_label}."
    )
    comps = [x for x in inp.sentences.get("risk_factors", []) if x.finding.key == "risk_factor_comparison" and x.text]
    judged = [
        x.text for x in comps if str(x.finding.significance or "").lower() in ("worse", "better", "higher", "lower")
    ]
    sec.sentences += judged[: 6 if inp.public else 40]
    if not len(rows):
        return
    blank = rows["unit"].isna() | rows["unit"].astype(str).isin(["", "nan", "count"])
    units = rows["indicator"].astype(str).map(lambda i: inp.units.get(i))
    rows = rows.assign(unit=rows["unit"].where(~blank | units.isna(), units))
    # the row labels: an area indicator's name from its extract, else the indicator's label; the
    # indicator keeps its name, which says where its figures come from (the tables' source lines)
    names = rows["indicator"].astype(str)
    labelled = rows.assign(
        label=names.map(lambda i: inp.labels.get(i) or inp.view.label(i)),
        source=names.map(lambda i: inp.sources.get(i)),  # the area's catalogue; else source_line
    )
    by_domain = labelled["breakdown"] == "domain"
    other = labelled[~by_domain]
    if len(other):  # an indicator by group (age group): one row per group, named in the label
        other = other.assign(
            label=[
                _group_label(lab, g)
                for lab, g in zip(other["label"], other["breakdown_value"].astype(str), strict=True)
            ],
            breakdown_value="all",
        )
    groups = [g for _, g in labelled[by_domain].groupby("breakdown_value", sort=False)]
    if len(other):
        groups.append(other)
    for k, g in enumerate(groups):
        dom = str(g["breakdown_value"].iloc[0])
        named = dom and dom != "all"
        subject = f"{dom.capitalize() if named else 'Other'} risk and protective factors"
        t = risk_factor_table([g], inp.view, subject, england_key=not k)  # the symbol key once, first
        t.key = f"risk-factors-{dom}" if named else f"risk-factors-other-{k}"
        sec.add_table(t)


def _group_label(label: str, group: str) -> str:
    """A label for one group's row, the group before the unit.

    >>> _group_label("Hospital admissions for assault with a mental health flag (%)", "Under 25")
    'Hospital admissions for assault with a mental health flag: Under 25 (%)'
    >>> _group_label("Survey respondents", "all")
    'Survey respondents'
    """
    if group == "all":
        return label
    head, unit = label_unit(label)
    return f"{head}: {display_value(group)}{unit}"


def _surveys(inp: Inputs, sec: Section, rows: pd.DataFrame) -> None:
    """One table per survey: questions down; the public summary gives all respondents with CIs."""
    from svsna.outputs.views import NOT_AVAILABLE, _ci, missing_symbol

    if not len(rows):
        return
    sec.paragraphs.append(
        "Percentages of respondents who agreed with each statement or answered yes, weighted where the survey has "
        f"weights; {inp.view.ci_label}s use the effective sample size."
    )
    from svsna.analyses.surveys import RESPONDENTS

    # sample sizes from the table (in the public edition: the published, rounded counts)
    is_size = rows["indicator"].astype(str) == RESPONDENTS
    sizes = {
        str(r.period): r.value for r in rows[is_size].itertuples(index=False) if not r.suppressed and r.value == r.value
    }
    rows = rows[~is_size]
    for survey, grp in rows.groupby("period", sort=False):
        out = []
        if inp.public:
            allr = grp[grp["breakdown"].astype(str) == "all"]
            for r in allr.itertuples(index=False):
                question = _question(str(r.indicator), inp)
                out.append(
                    [
                        question,
                        value_cell(r.value, "percent", missing_symbol(r)),
                        Cell(_ci(r, "percent"), "num"),
                    ]
                )
            cols = ["Statement or question", "Respondents agreeing (%)", inp.view.ci_label]
        else:
            groups = ["all", *[v for v in dict.fromkeys(grp["breakdown_value"].astype(str)) if v != "all"]]
            for ind, q in grp.groupby("indicator", sort=False):
                by = {str(r.breakdown_value): r for r in q.itertuples(index=False)}
                line: list[Cell | str] = [_question(str(ind), inp)]
                for g in groups:
                    r = by.get(g)
                    line.append(
                        Cell(NOT_AVAILABLE, "num") if r is None else value_cell(r.value, "percent", missing_symbol(r))
                    )
                out.append(line)
            cols = ["Statement or question", *["All respondents" if g == "all" else display_value(g) for g in groups]]
        size = sizes.get(str(survey))
        note = f"{fmt_count(size)} respondents{' (rounded)' if inp.public else ''}." if size else ""
        sec.add_table(
            TableBlock(
                f"survey-{len(sec.blocks)}",
                f"{survey}: respondents agreeing or answering yes (%)",
                cols,
                out,
                str(survey),
                notes=note,
            )
        )


def _question(indicator: str, inp: Inputs) -> str:
    name = inp.labels.get(indicator)
    if name:
        return name
    return survey_question(indicator)


def _contact(inp: Inputs) -> Section | None:
    html = markdown_html(inp.config.report.contact)
    if not html:
        return None
    sec = Section("contact", "Contact")
    sec.html_lead = html
    return sec


def _foreword(inp: Inputs) -> Section | None:
    html = markdown_html(inp.config.report.foreword)
    if not html:
        return None
    sec = Section("foreword", "Foreword")
    sec.html_lead = html
    return sec


def build_sections(inp: Inputs, headline: list[Callout]) -> list[Section]:
    """All sections in order; absent data give a short note instead of content."""
    out = []
    fw = _foreword(inp)
    if fw is not None:
        out.append(fw)
    commentary = inp.config.report.commentary
    for key, table_sections in SECTION_ORDER:
        sec = Section(key, SECTION_TITLES.get(key, key.replace("_", " ").capitalize()))
        sec.commentary = markdown_html(commentary.get(key))
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
            sec.sentences += inp.printed(table_sections)
            if key == "risk_factors":
                _risk_factors(inp, sec, rows)
            elif key == "surveys":
                _surveys(inp, sec, rows)
            elif len(rows):
                if inp.public and inp.view.featured is None:
                    add_public_views(sec, rows, inp.table, inp.view)
                else:
                    add_indicator_views(sec, rows, inp.table, inp.view)
            gone = inp.not_available(table_sections)
            if gone:
                sec.notes.append(
                    "Not available in this assessment (the analyses did not supply the figures): "
                    + "; ".join(gone)
                    + "."
                )
            if not len(rows) and not sec.sentences:
                sec.notes.append(
                    f"No {sec.title.lower()} indicators were supplied for this assessment, so this section is left "
                    "out. (Run `svsna assess` with the data this section needs.)"
                )
        out.append(sec)
    return out


def contact_section(inp: Inputs) -> Section | None:
    """The contact page (``report.contact``), placed last by the caller."""
    return _contact(inp)
