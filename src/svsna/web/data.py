"""Indicator tables prepared for the web: places, periods, labels, filters and sparklines.

An :class:`IndicatorFrame` wraps one indicator table (the public one, the exact one, or a
scoped partner's mix of the two) with the columns the pages need:

``place``    the district/CSP a row is about (blank for rows about the whole area or a
             group of people), from the breakdown (``district``, ``district|...``,
             ``lsoa``, ``ward``, ``npa``) and the area's LSOA lookup
``label``    the indicator's readable label, naming the release's baseline year when it has
             one (as the report's labels do); ``kind`` its formatting kind
``start``    the first month of the row's period (months since year 0), and ``months``
             its length, or -1 when the period is not a date range (a survey's name)
``series``   the key of the row's time series (everything but the period)

Examples
--------
>>> period_bounds("2020/21"), period_bounds("2021/22 (Apr-Sep)"), period_bounds("Apr 2020 - Sep 2021")
((24243, 12), (24255, 6), (24243, 18))
>>> period_bounds("Mid-2020"), period_bounds("LLR Community Safety Survey 2020")
((24245, 1), None)
>>> slugify("Hinckley and Bosworth"), slugify("St. Helens")
('hinckley-and-bosworth', 'st-helens')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "KEY",
    "IndicatorFrame",
    "Lookup",
    "Place",
    "format_value",
    "period_bounds",
    "scoped_table",
    "slugify",
]

#: The columns that identify a row of the indicator table.
KEY: tuple[str, ...] = ("section", "indicator", "period", "area", "breakdown", "breakdown_value", "definition")
SERIES_KEY: tuple[str, ...] = (
    "section",
    "indicator",
    "area",
    "breakdown",
    "breakdown_value",
    "definition",
    "statistic",
)

_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))
}
_FY = re.compile(r"^(\d{4})/(\d{2})$")
_FY_PART = re.compile(r"^(\d{4})/(\d{2}) \(([A-Z][a-z]{2})-([A-Z][a-z]{2})\)$")
_WINDOW = re.compile(r"^([A-Z][a-z]{2}) (\d{4}) - ([A-Z][a-z]{2}) (\d{4})$")
_MID = re.compile(r"^Mid-(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


def period_bounds(label: str) -> tuple[int, int] | None:
    """``(first month, number of months)`` of a period label, months counted as ``12*year + month0``."""
    label = str(label).strip()
    if m := _FY.match(label):
        return int(m.group(1)) * 12 + 3, 12
    if m := _FY_PART.match(label):
        y = int(m.group(1))
        a, b = _MONTHS.get(m.group(3)), _MONTHS.get(m.group(4))
        if a is None or b is None:
            return None
        start = y * 12 + a if a >= 3 else (y + 1) * 12 + a
        end = y * 12 + b if b >= 3 else (y + 1) * 12 + b
        return (start, end - start + 1) if end >= start else None
    if m := _WINDOW.match(label):
        a, b = _MONTHS.get(m.group(1)), _MONTHS.get(m.group(3))
        if a is None or b is None:
            return None
        start, end = int(m.group(2)) * 12 + a, int(m.group(4)) * 12 + b
        return (start, end - start + 1) if end >= start else None
    if m := _MID.match(label):
        return int(m.group(1)) * 12 + 5, 1
    if m := _YEAR.match(label):
        return int(m.group(1)) * 12, 12
    return None


def slugify(name: str) -> str:
    """A URL-safe name: lower case, words joined by ``-``."""
    text = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    return text or "place"


def _nan(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def format_value(value: Any, kind: str) -> str:
    """A value for display by kind (``count``, ``rate``, ``percent``, ``ratio``, ``score``, ``number``).

    >>> format_value(3530.0, "count"), format_value(9.4712, "rate"), format_value(14.64, "percent")
    ('3,530', '9.47', '14.6%')
    >>> format_value(float("nan"), "count")
    '[c]'
    """
    if _nan(value):
        return "[c]"
    v = float(value)
    if kind == "count":
        return f"{v:,.0f}"
    if kind == "percent":
        return f"{v:.1f}%"
    if kind == "rate":
        return f"{v:,.2f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.2f}"


@dataclass(frozen=True)
class Place:
    """A district or community safety partnership area with its own page."""

    name: str
    slug: str


@dataclass
class Lookup:
    """Which district each LSOA, ward and neighbourhood policing area is in (public geography), and the
    published names of the area's indicators (``indicator_names``: ``90000`` -> "Children in need")."""

    lsoa: dict[str, str] = field(default_factory=dict)
    ward: dict[str, str] = field(default_factory=dict)
    npa: dict[str, str] = field(default_factory=dict)
    lsoa_names: dict[str, str] = field(default_factory=dict)
    indicator_names: dict[str, str] = field(default_factory=dict)

    def read_indicator_names(self, path: str | Path | None) -> None:
        """The names of the area's published indicators (Fingertips-style extract, columns
        ``indicator_id, indicator_name``; only those are read). Nothing when the file is absent."""
        import pandas as pd

        if path is None or not Path(path).is_file():
            return
        try:
            head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
            if not {"indicator_id", "indicator_name"} <= set(head.columns):
                return
            t = pd.read_csv(path, usecols=["indicator_id", "indicator_name"], dtype=str, encoding="utf-8-sig")
        except (OSError, ValueError):  # an unreadable extract: the indicators keep their ids
            return
        t = t.dropna()
        self.indicator_names.update(
            {str(i).strip(): str(n).strip() for i, n in zip(t["indicator_id"], t["indicator_name"], strict=True)}
        )

    @classmethod
    def from_geography(cls, path: str | Path | None, lsoa_names: Mapping[str, str] | None = None) -> Lookup:
        """From the area's geography file (columns ``lsoa_code, ward_name, npa, district_name``).

        Only those columns are read. Without the file, LSOAs are placed by the district name
        that starts every 2011/2021 LSOA name (``"Charnwood 012B"``), from the boundaries.
        """
        import pandas as pd

        out = cls(lsoa_names=dict(lsoa_names or {}))
        if path is not None and Path(path).is_file():
            head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
            cols = [c for c in ("lsoa_code", "lsoa_name", "ward_name", "npa", "district_name") if c in head.columns]
            if {"lsoa_code", "district_name"} <= set(cols):
                geo = pd.read_csv(path, usecols=cols, dtype=str, encoding="utf-8-sig").dropna(
                    subset=["lsoa_code", "district_name"]
                )
                out.lsoa = dict(zip(geo["lsoa_code"], geo["district_name"], strict=True))
                if "lsoa_name" in geo:
                    out.lsoa_names.update(
                        {k: v for k, v in zip(geo["lsoa_code"], geo["lsoa_name"], strict=True) if isinstance(v, str)}
                    )
                for col, target in (("ward_name", out.ward), ("npa", out.npa)):
                    if col in geo:
                        sets = geo.dropna(subset=[col]).groupby(col)["district_name"].agg(lambda s: set(s))
                        # a ward or NPA belongs to a district only when it lies wholly inside it
                        target.update({k: next(iter(v)) for k, v in sets.items() if len(v) == 1})
        if not out.lsoa and out.lsoa_names:
            from svsna.outputs.maps import district_from_lsoa_name

            out.lsoa = {k: d for k, v in out.lsoa_names.items() if (d := district_from_lsoa_name(v))}
        return out


_PLACE_PARTS = {"district", "home_district", "county", "area", "lsoa", "ward", "npa", "home_npa"}


def assign_places(table: pd.DataFrame, area_label: str, places: set[str], lookup: Lookup) -> pd.Series:
    """The place (district) each row is about, or ``""``."""
    import pandas as pd

    out: list[str] = []
    cache: dict[tuple[str, str, str], str] = {}
    for area, breakdown, value in zip(table["area"], table["breakdown"], table["breakdown_value"], strict=True):
        key = (area, breakdown, value)
        hit = cache.get(key)
        if hit is None:
            hit = ""
            if area and area != area_label and area in places:
                hit = area
            else:
                parts = breakdown.split("|")
                values = value.split("|")
                if len(parts) == len(values):
                    for part, val in zip(parts, values, strict=True):
                        if part not in _PLACE_PARTS:
                            continue
                        if part == "lsoa":
                            hit = lookup.lsoa.get(val, "")
                        elif part == "ward":
                            hit = lookup.ward.get(val, "")
                        elif part in ("npa", "home_npa"):
                            hit = lookup.npa.get(val, "") or (val if val in places else "")
                        else:
                            hit = val if val in places else ""
                        if hit:
                            break
            cache[key] = hit
        out.append(hit)
    return pd.Series(out, index=table.index, dtype=object)


def find_places(table: pd.DataFrame, lookup: Lookup) -> list[Place]:
    """Districts with rows of their own (``district`` breakdowns), plus those of the lookup."""
    names = set(table.loc[table["breakdown"] == "district", "breakdown_value"]) | set(lookup.lsoa.values())
    names = {n for n in names if n and n not in ("all", "Other", "Unknown")}
    slugs: dict[str, str] = {}
    out = []
    for name in sorted(names):
        slug = slugify(name)
        while slug in slugs:
            slug += "-x"
        slugs[slug] = name
        out.append(Place(name, slug))
    return out


def _whole_area_denominators(exact: pd.DataFrame) -> Any:
    """Rows of a place whose denominator is not shown to be the place's own: shown only as published.

    A share's denominator is the place's own (its offences, its residents) only when the places of
    one indicator, period, breakdown and category (the breakdown value's parts that are not places,
    e.g. the age group of ``age_group|npa``) have different denominators. When they share one, it is
    a whole-area figure (each district's share of the area's offences, 13/216, 40/216 ...), and so is
    a share that only one place has a row of (a cohort's members by home NPA, 1/2): with the exact
    numerator it would give the whole-area count, and that count less the place's own gives the
    other places' exact total. A rate's denominator is the place's own population.
    """
    import numpy as np

    placed = exact["place"].astype(str) != ""
    rest = [
        "|".join(v for part, v in zip(b.split("|"), val.split("|"), strict=False) if part not in _PLACE_PARTS)
        for b, val in zip(exact["breakdown"].astype(str), exact["breakdown_value"].astype(str), strict=True)
    ]
    key = (
        exact["section"].astype(str)
        + "\x1f"
        + exact["indicator"].astype(str)
        + "\x1f"
        + exact["period"].astype(str)
        + "\x1f"
        + exact["breakdown"].astype(str)
        + "\x1f"
        + exact["definition"].astype(str)
        + "\x1f"
        + np.asarray(rest, dtype=object)
    )
    has = placed & exact["denominator"].notna() & (exact["statistic"].astype(str) != "rate")
    sub = exact[has].assign(_key=key[has])
    stats = sub.groupby("_key").agg(places=("place", "nunique"), denominators=("denominator", "nunique"))
    own = set(stats.index[(stats["places"] > 1) & (stats["denominators"] > 1)])
    return has & ~key.isin(own)


def scoped_table(public: pd.DataFrame, exact: pd.DataFrame, exact_places: Iterable[str]) -> pd.DataFrame:
    """A scoped partner's table: exact figures of ``exact_places`` only, published figures for everything else.

    Both tables must carry the ``place`` column (see :class:`IndicatorFrame`). A row is taken
    from ``exact`` only when its place is one of ``exact_places``; every other row comes from
    the public table, so figures about other places and the whole area stay as published.

    Inside an exact row, only the place's own figures stay exact. Its comparator (the whole
    area's value) is the published row's, and a row whose denominator is a whole-area total (a
    district's share of the area's offences, see :func:`_whole_area_denominators`) is the
    published row: with the exact numerator and value it would give the area's exact total, and
    the area's total less the place's own gives the other districts' exact total. The comparator
    of a change (its baseline count, the place's own) stays exact.
    """
    import pandas as pd

    allowed = set(exact_places)
    mine = exact[exact["place"].isin(allowed)].copy()
    whole_denominator = _whole_area_denominators(exact).loc[mine.index]
    mine = mine[~whole_denominator.to_numpy()]
    key = [c for c in KEY if c in mine.columns]
    published = public[public["place"].isin(allowed)]
    published = published.drop_duplicates(key).set_index(key)
    at = pd.MultiIndex.from_frame(mine[key]) if len(mine) else pd.MultiIndex.from_arrays([[]] * len(key), names=key)
    comparator = published["comparator_value"].reindex(at).to_numpy() if len(mine) else []
    own_baseline = (mine["statistic"].astype(str) == "percent_change").to_numpy()
    mine["comparator_value"] = mine["comparator_value"].where(own_baseline, comparator)
    mine["tier"] = "exact"
    taken = pd.MultiIndex.from_frame(mine[key]) if len(mine) else at
    rest_at = pd.MultiIndex.from_frame(public[key])
    rest = public[~public["place"].isin(allowed) | ~rest_at.isin(taken)].copy()
    rest["tier"] = "public"
    return pd.concat([rest, mine], ignore_index=True)


class IndicatorFrame:
    """One indicator table ready for the pages (see the module docstring).

    Parameters
    ----------
    table : DataFrame
        An indicator table (public, exact or scoped); a ``place`` column is added if absent.
    tier : {"public", "exact", "scoped"}
        Which kind of figures it holds.
    area_label : str
        The whole area's short name (``LLR``).
    places : list of Place
    lookup : Lookup
    baseline : str, optional
        The label of the baseline year of the release the table comes from (``"2019/20"``,
        :func:`svsna.web.release.baseline_label`); ``""`` when it does not say.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        tier: str,
        area_label: str,
        places: list[Place],
        lookup: Lookup,
        baseline: str = "",
    ) -> None:
        import numpy as np

        from svsna.outputs.catalogue import counted_noun, indicator_kind

        self.tier = tier
        self.names = dict(lookup.indicator_names)
        self.area_label = area_label
        self.places = places
        self.baseline = baseline
        #: what the crime counts count ("offences", or "crimes" in the open-data edition), as the report words it
        self.noun = counted_noun(table)
        t = table.reset_index(drop=True).copy()
        if "public_note" not in t.columns:
            t["public_note"] = ""
        if "tier" not in t.columns:
            t["tier"] = "public" if tier == "public" else "exact"
        if "place" not in t.columns:
            t["place"] = assign_places(t, area_label, {p.name for p in places}, lookup)
        labels: dict[str, str] = {}
        kinds: dict[tuple[str, str], str] = {}
        t["label"] = [labels.setdefault(i, self.label(i)) for i in t["indicator"]]
        t["kind"] = [
            kinds.setdefault((i, m), _kind(s, indicator_kind(i, m or None)))
            for i, m, s in zip(t["indicator"], t["method"], t["statistic"], strict=True)
        ]
        bounds = {p: period_bounds(p) for p in t["period"].unique()}
        t["start"] = [(-1 if bounds[p] is None else bounds[p][0]) for p in t["period"]]
        t["months"] = [(-1 if bounds[p] is None else bounds[p][1]) for p in t["period"]]
        series = t[SERIES_KEY[0]].astype(str)
        for col in SERIES_KEY[1:]:
            series = series + "\x1f" + t[col].astype(str)
        t["series"] = series
        gi = t["indicator"] == "hotspot_gi"
        if gi.any():  # the report's hot-spot labels: Higher at 0.99 -> "Hot spot (99%)"
            from svsna.outputs.views import _gi_class

            t.loc[gi, "significance"] = [
                _gi_class(s, c) for s, c in zip(t.loc[gi, "significance"], t.loc[gi, "confidence"], strict=True)
            ]
        # a Gi* row of the public release keeps its class with its z-score withheld
        class_only = ~t["suppressed"].astype(bool) & t["value"].isna() & (t["statistic"] == "z")
        hidden = t["suppressed"].astype(bool) | (t["value"].isna() & ~class_only)
        # A suppressed figure shows nothing that could hint at it: no limits, no significance.
        t.loc[hidden, ["value", "lower", "upper"]] = np.nan
        t.loc[hidden, "significance"] = ""
        t["shown"] = ~hidden
        self.table = t
        self._series: dict[str, list[tuple[int, int, float, str]]] | None = None
        self._whole: dict[tuple[str, str, str, str], Any] | None = None
        self._search = [
            f"{a} {b}".lower() for a, b in zip(t["label"].tolist(), t["breakdown_value"].tolist(), strict=True)
        ]
        self._index: dict[str, dict[str, Any]] = {}
        self._choices: dict[str, list[tuple[str, str]]] = {}
        self.indicators = sorted(set(t["indicator"].tolist()))
        self.sections = [s for s in _section_order() if s in set(t["section"])] + sorted(
            set(t["section"]) - set(_section_order())
        )
        self.periods = _period_order(t)
        self.definitions = [d for d in dict.fromkeys(t["definition"]) if d]
        self.breakdowns = sorted(set(t["breakdown"]))

    def label(self, indicator: str, breakdown: str = "") -> str:
        """An indicator's label as the report words it (``ViewContext.label``): its baseline year named, its
        counts called what the table counts."""
        from svsna.outputs.catalogue import indicator_label

        if indicator in self.names:  # an area indicator, by its published name
            return self.names[indicator]
        return indicator_label(indicator, self.noun, breakdown=breakdown, baseline=self.baseline)

    # -- series ------------------------------------------------------------------------
    def series(self, key: str) -> list[tuple[int, int, float, str]]:
        """``(start, months, value, period)`` of a series, in time order (NaN where suppressed)."""
        if self._series is None:
            dated = self.table[self.table["start"] >= 0]
            out: dict[str, list[tuple[int, int, float, str]]] = {}
            for k, s, m, v, p in zip(
                dated["series"], dated["start"], dated["months"], dated["value"], dated["period"], strict=True
            ):
                out.setdefault(k, []).append((int(s), int(m), float(v), str(p)))
            for v in out.values():
                v.sort(key=lambda x: (x[0], x[1]))
            self._series = out
        return self._series.get(key, [])

    def trend(self, key: str, months: int) -> list[tuple[int, float, str]]:
        """The series' points of the same period length (financial years with financial years)."""
        return [(s, v, p) for s, m, v, p in self.series(key) if m == months]

    # -- filtering ---------------------------------------------------------------------
    def _positions(self, column: str, value: str) -> Any:
        """Row positions where ``column == value`` (indexes built once per column)."""
        import numpy as np

        index = self._index.get(column)
        if index is None:
            codes, uniques = __import__("pandas").factorize(self.table[column].to_numpy(dtype=object))
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
            index = {u: order[bounds[i] : bounds[i + 1]] for i, u in enumerate(uniques)}
            self._index[column] = index
        return index.get(value, np.empty(0, dtype=np.intp))

    def filter(
        self,
        *,
        section: str = "",
        indicator: str = "",
        period: str = "",
        breakdown: str = "",
        definition: str = "",
        place: str = "",
        text: str = "",
    ) -> pd.DataFrame:
        import numpy as np

        t = self.table
        mask = np.ones(len(t), dtype=bool)
        for column, value in (
            ("section", section),
            ("indicator", indicator),
            ("period", period),
            ("breakdown", breakdown),
            ("place", place),
        ):
            if value:
                m = np.zeros(len(t), dtype=bool)
                m[self._positions(column, value)] = True
                mask &= m
        if definition:
            m = np.zeros(len(t), dtype=bool)
            m[self._positions("definition", definition)] = True
            m[self._positions("definition", "")] = True
            mask &= m
        if text:
            needle = text.lower()
            mask &= np.fromiter((needle in s for s in self._search), dtype=bool, count=len(self._search))
        return t if mask.all() else t[mask]

    def indicator_choices(self, section: str = "") -> list[tuple[str, str]]:
        """``(indicator, label)`` pairs, by label, of one section (or all)."""
        if section not in self._choices:
            rows = self.table if not section else self.table.iloc[self._positions("section", section)]
            pairs = dict(zip(rows["indicator"].tolist(), rows["label"].tolist(), strict=True))
            self._choices[section] = sorted(pairs.items(), key=lambda kv: kv[1])
        return self._choices[section]

    def whole_area_rows(self) -> dict[tuple[str, str, str, str], Any]:
        """The whole-area rows (breakdown ``all``) by (section, indicator, period, definition)."""
        if self._whole is None:
            t = self.table
            allrows = t[(t["breakdown"] == "all") & (t["area"] == self.area_label)]
            self._whole = {(r.section, r.indicator, r.period, r.definition): r for r in allrows.itertuples(index=False)}
        return self._whole


def _kind(statistic: str, fallback: str) -> str:
    return {
        "count": "count",
        "rate": "rate",
        "percentage": "percent",
        "percent_change": "percent",
        "ratio": "ratio",
        "z": "score",
        "score": "score",
    }.get(statistic, fallback)


def _section_order() -> list[str]:
    from svsna.outputs.catalogue import SECTION_TITLES

    return list(SECTION_TITLES)


def _period_order(t: pd.DataFrame) -> list[str]:
    seen = t.drop_duplicates("period")[["period", "start", "months"]]
    dated = seen[seen["start"] >= 0].sort_values(["start", "months"], kind="stable")
    other = seen[seen["start"] < 0]
    return [p for p in list(dated["period"]) + list(other["period"]) if p]
