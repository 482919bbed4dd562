"""The open-data edition of the report: police.uk proxy figures, titled and worded as such.

:mod:`svsna.opendata` produces an indicator table with sections ``od_extent``,
``od_trend``, ``od_geography``, ``od_hotspots`` and ``od_mix`` for four proxy groups
(``definition`` = ``combined``, ``vso``, ``robbery``, ``weapons``; see
``docs/opendata.md``). data.police.uk cannot isolate serious violence, so this edition

- is titled from ``metadata["report_title"]`` ("<Force> police.uk open-data profile: Open-data
  edition"), never "Serious Violence Strategic Needs Assessment";
- opens with ``metadata["proxy_definition"]`` instead of the serious-violence definition;
- shows every proxy group, not only the primary definition, through the generic views
  of :mod:`svsna.outputs.views` (monthly SPC chart, rate charts with CIs and
  significance, IMD decile chart, hot-spot map, crime-type and outcome mix);
- goes through the same disclosure control as the partner SNA in the public summary.

The report selects this layout from the run metadata (``layout: opendata``); the title, edition
titles, period, the groups shown, the appendix's definitions table and ledger detail also come
from the metadata (:func:`svsna.opendata.assessment.run_opendata` writes them), so
:mod:`svsna.outputs.report` has no edition branches.

Examples
--------
>>> group_order({"shown_definitions": ["combined", "vso"]})
('combined', 'vso')
>>> group_label({"proxy_groups": {"vso": {"label": "Violence and sexual offences"}}}, "vso")
'Violence and sexual offences'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svsna.outputs.content import Cell, Section, TableBlock
from svsna.outputs.views import add_indicator_views

if TYPE_CHECKING:
    import pandas as pd

    from svsna.outputs.narrative import Callout
    from svsna.outputs.sections import Inputs

__all__ = ["OD_SECTIONS", "build_opendata_sections", "district_lookup", "group_label", "group_order"]

#: Open-data sections: (indicator-table section, report title, generic view key, intro paragraph).
OD_SECTIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "od_extent",
        "Extent",
        "extent",
        "Crimes published on data.police.uk in each proxy group, by financial year. 'Recorded by the force' counts "
        "every row in the force's files; 'located in the area' counts those snapped to a location in the force "
        "area, the base of every other figure.",
    ),
    (
        "od_trend",
        "Trend",
        "timing",
        "Monthly counts with statistical process control limits, and the change on the previous year.",
    ),
    (
        "od_geography",
        "Geography and deprivation",
        "geography",
        "Rates per 1,000 residents by local authority and community safety partnership, compared with the force "
        "area, and by national deprivation decile of the neighbourhood (LSOA) where the crime was located.",
    ),
    (
        "od_hotspots",
        "Hot spots",
        "hotspots",
        "Neighbourhoods (LSOAs) where rates cluster significantly above or below the force-area pattern "
        "(Getis-Ord Gi*), for the largest groups.",
    ),
    (
        "od_mix",
        "Crime type and outcome mix",
        "nature",
        "How the proxy groups sit within all police.uk crime, and the last recorded outcome of their crimes.",
    ),
)

SOURCE = "data.police.uk street-level crime; ONS population estimates"


def group_order(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """The proxy groups in reading order (``metadata["shown_definitions"]``: combined first)."""
    return tuple(str(g) for g in metadata.get("shown_definitions") or ())


def group_label(metadata: Mapping[str, Any], key: str) -> str:
    """The readable name of a proxy group (from ``metadata["proxy_groups"]``)."""
    groups = metadata.get("proxy_groups") or {}
    return str((groups.get(key) or {}).get("label", key)) if key else "All police.uk crime"


def district_lookup(metadata: Mapping[str, Any]) -> pd.DataFrame | None:
    """LSOA to local authority (``lsoa_code``, ``district_name``) from the run's lookup file, for map outlines."""
    import pandas as pd

    path = (metadata.get("sources") or {}).get("lsoa_lad_lookup")
    if not path or not Path(str(path)).is_file():
        return None
    raw = pd.read_csv(str(path), dtype=str)
    code = next((c for c in raw.columns if c.lower().startswith("lsoa") and c.lower().endswith("code")), None)
    name = next(
        (c for c in raw.columns if "lad" in c.lower() or "ltla" in c.lower() if c.lower().endswith("name")), None
    )
    if code is None or name is None:
        return None
    return raw[[code, name]].rename(columns={code: "lsoa_code", name: "district_name"})


def _introduction(inp: Inputs, sec: Section) -> None:
    meta = inp.metadata
    proxy = str(meta.get("proxy_definition", "")).strip()
    years = ", ".join(meta.get("financial_years") or [])
    sec.paragraphs.append(
        f"This profile describes the volume, trend and geography of violence-related crime in {inp.config.name}"
        f"{' (' + years + ')' if years else ''} from public data alone, for partners and the public to use "
        "alongside local data."
    )
    if proxy:
        sec.html_lead = f'<div class="proxy-definition"><h3>What these figures are</h3><p>{_esc(proxy)}</p></div>'
    rows = [
        [short_label(meta, g), ", ".join((meta.get("proxy_groups") or {}).get(g, {}).get("crime_types", []))]
        for g in group_order(meta)
        if g in (meta.get("proxy_groups") or {})
    ]
    if rows:
        sec.add_table(
            TableBlock("proxy-groups", "Proxy groups reported", ["Group", "police.uk crime types"], rows, SOURCE)
        )
    for key in ("locations", "outcomes", "populations"):
        if meta.get(key):
            sec.bullets.append(str(meta[key]))
    sec.paragraphs.append(
        f"This is the public summary: counts are rounded and small numbers suppressed (rule set "
        f"'{inp.config.disclosure.rules}'), as for every svsna public edition."
        if inp.public
        else "This is the full edition, with exact counts. A disclosure-controlled public summary is produced "
        "alongside it."
    )


def _data_sources(inp: Inputs, sec: Section) -> None:
    meta = inp.metadata
    sources = meta.get("sources") or {}
    rows = []
    street = sources.get("street_files") or []
    months = meta.get("months_loaded") or []
    if street:
        span = f", {months[0]} to {months[-1]}" if months else ""
        rows.append(["data.police.uk street-level crime", "Home Office / police forces", f"{len(street)} files{span}"])
    names = {
        "lad_csp_pfa_lookup": ("Local authority to CSP and force lookup", "ONS"),
        "lsoa_lad_lookup": ("LSOA to local authority lookup", "ONS"),
        "imd2019": ("English Indices of Deprivation 2019", "MHCLG"),
        "lsoa_boundaries": ("LSOA 2011 boundaries", "ONS"),
    }
    for key, val in sources.items():
        if key == "street_files":
            continue
        title, provider = names.get(key, (key.replace("_", " ").capitalize(), "ONS"))
        if key.startswith("lsoa_population"):
            title = f"LSOA population estimates, mid-{key.rsplit('_', 1)[-1]}"
        elif key.startswith("lad_population"):
            title = f"Mid-year population estimates (MYE2), mid-{key.rsplit('_', 1)[-1]}"
        rows.append([title, provider, Path(str(val)).name])
    if rows:
        sec.add_table(TableBlock("data-sources", "Public data used", ["Data", "Provider", "Files"], rows, SOURCE))
    if meta.get("attribution"):
        sec.paragraphs.append(str(meta["attribution"]))


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def _group_views(sec: Section, rows: pd.DataFrame, view_key: str, inp: Inputs, group: str, part: str = "") -> None:
    """The generic views of one proxy group's rows, captioned with the group's name."""
    tmp = Section(view_key, sec.title)
    add_indicator_views(tmp, rows, inp.table, inp.view)
    label = short_label(inp.metadata, group) if group else "All police.uk crime"
    for b in tmp.blocks:
        b.key = f"{sec.key}-{group or 'all'}-{b.key}" + (f"-{part}".replace("/", "-") if part else "")
        b.caption = f"{label}: {b.caption}"
        b.source = SOURCE if sec.key != "od_hotspots" else SOURCE + "; ONS LSOA boundaries"
        sec.blocks.append(b)
    sec.notes += tmp.notes


def short_label(metadata: Mapping[str, Any], key: str) -> str:
    """A short name of a proxy group for captions and table rows.

    >>> short_label({}, "combined"), short_label({"proxy_groups": {"vso": {"label": "VSO"}}}, "vso")
    ('Combined (all three groups)', 'VSO')
    """
    return "Combined (all three groups)" if key == "combined" else group_label(metadata, key)


def _singles(sec: Section, rows: pd.DataFrame, inp: Inputs) -> None:
    """Whole-area figures of every group in one table: a row per group and period, a column per indicator."""
    from svsna.outputs.catalogue import indicator_kind
    from svsna.outputs.views import _ci, _sig_cell, fmt_value

    if not len(rows):
        return
    order = {g: i for i, g in enumerate(group_order(inp.metadata))}
    inds = list(dict.fromkeys(rows["indicator"].astype(str)))
    kinds = {i: indicator_kind(i, str(rows.loc[rows["indicator"] == i, "method"].iloc[0] or "")) for i in inds}
    columns = ["Proxy group", "Period"]
    for i in inds:
        head = inp.view.label(i)
        columns.append(head + (" (rounded)" if inp.public and kinds[i] == "count" else ""))
    out = []
    keys = rows[["definition", "period"]].drop_duplicates()
    keys = keys.assign(_o=keys["definition"].map(lambda d: order.get(d, 9))).sort_values(["_o", "period"])
    for d, period, _ in keys.itertuples(index=False):
        line: list[Cell | str] = [short_label(inp.metadata, d), str(period)]
        here = rows[(rows["definition"] == d) & (rows["period"] == period)]
        for i in inds:
            r = next(here[here["indicator"] == i].itertuples(index=False), None)
            if r is None:
                line.append(Cell("", "num"))
                continue
            kind = kinds[i]
            whole = kind == "number" and float(r.value) == int(r.value) if r.value == r.value else False
            text = fmt_value(r.value, "count" if whole else kind)
            ci = _ci(r, kind) if kind != "count" else ""
            sig = _sig_cell(r.significance).text if kind in ("ratio", "percent") else ""
            extra = " ".join(x for x in (f"({ci})" if ci else "", sig) if x)
            line.append(Cell(f"{text} {extra}".strip(), "num count" if kind == "count" else "num"))
        out.append(line)
    note = "Values in brackets are 95% confidence intervals."
    if inp.public:
        note += " Counts are rounded to the nearest 5 and small numbers shown as [c] (see the appendix)."
    sec.add_table(
        TableBlock(
            f"{sec.key}-key",
            f"Key figures: {sec.title.lower()}, {inp.config.label}",
            columns,
            out,
            SOURCE,
            notes=note,
            count_columns=tuple(j + 2 for j, i in enumerate(inds) if kinds[i] == "count"),
        )
    )


def _section(inp: Inputs, key: str, title: str, view_key: str, intro: str, headline: list[Callout]) -> Section:
    sec = Section(key, title)
    sec.paragraphs.append(intro)
    sec.callouts += [c for c in headline if c.section == key]
    called = {c.text for c in sec.callouts}
    sec.sentences += [t for t in inp.printed((key,)) if t not in called and t not in _proxy_texts(inp)]
    rows = inp.rows((key,))
    if not len(rows):
        return sec
    rows = rows.assign(definition=rows["definition"].fillna("").astype(str))
    is_single = (rows["breakdown"] == "all") | (rows["indicator"] == "deprivation_rate_ratio")
    if key == "od_extent":
        _annual_rates(sec, rows[rows["indicator"] == "rate"], inp)
    groups = [g for g in ("", *group_order(inp.metadata)) if (rows["definition"] == g).any()]
    for g in groups:
        part = rows[(rows["definition"] == g) & ~is_single]
        gi = part["indicator"] == "hotspot_gi"
        if gi.any():  # a Gi* map for every assessed year (the generic view draws one period)
            for period in sorted(part.loc[gi, "period"].astype(str).unique()):
                _group_views(sec, part[gi & (part["period"].astype(str) == period)], view_key, inp, g, period)
            part = part[~gi]
        if len(part):
            _group_views(sec, part, view_key, inp, g)
    _singles(sec, rows[is_single], inp)
    return sec


def _annual_rates(sec: Section, rows: pd.DataFrame, inp: Inputs) -> None:
    """One chart of the force-area rate of every proxy group in every assessed year, with CIs."""
    from svsna.outputs import charts
    from svsna.outputs.views import _fig

    if rows.empty or rows["value"].isna().all():
        return
    order = {g: i for i, g in enumerate(group_order(inp.metadata))}
    df = rows.assign(_o=rows["definition"].map(lambda d: order.get(d, 9))).sort_values(["_o", "period"])
    labels = [f"{short_label(inp.metadata, d)}, {p}" for d, p in zip(df["definition"], df["period"], strict=True)]
    bars = df[["value", "lower", "upper"]].assign(breakdown_value=labels, label=labels).reset_index(drop=True)
    chart = inp.view.draw(
        charts.bar_ci,
        bars,
        value_label="Crimes per 1,000 residents",
        title_noun="proxy group and year",
        unit="rate",
        horizontal=True,
        order=labels,
        ci_label=inp.view.ci_words,
    )
    periods = list(dict.fromkeys(df["period"].astype(str)))
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    caption = f"Rate per 1,000 residents by proxy group and financial year, {inp.config.label} ({span})"
    sec.add_figure(_fig(f"{sec.key}-annual-rates", caption, chart, SOURCE))


def build_opendata_sections(inp: Inputs, headline: list[Callout]) -> list[Section]:
    """The sections of the open-data edition, in reading order (the appendix is added by the caller)."""
    # The proxy statement opens the report; its finding is not repeated as a call-out or a finding.
    headline[:] = [c for c in headline if c.text not in _proxy_texts(inp)]
    intro = Section("introduction", "Introduction: what police.uk data can and cannot show")
    _introduction(inp, intro)
    sources = Section("data_sources", "Data sources")
    _data_sources(inp, sources)
    out = [intro, sources]
    for key, title, view_key, text in OD_SECTIONS:
        out.append(_section(inp, key, title, view_key, text, headline))
    dq = Section("od_data_quality", "Data quality")
    dq.sentences += inp.printed(("od_data_quality",))
    if dq.sentences:  # the row ledger is in the appendix either way
        out.append(dq)
    return out


def _proxy_texts(inp: Inputs) -> set[str]:
    """The printed texts of the proxy-definition finding (shown once, in the introduction)."""
    out = {str(inp.metadata.get("proxy_definition", ""))}
    for ss in inp.sentences.values():
        out |= {x.text for x in ss if x.text and x.finding.key == "proxy_definition"}
    return out
