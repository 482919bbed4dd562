"""What every open-data section shares: the warehouse, the force, the years, and counting helpers.

Sections build Ibis expressions over the warehouse table ``od_crimes`` and get small
pandas results back; the helpers here add the proxy groups (``vso``, ``robbery``,
``weapons`` and ``combined``) and fill in zero counts so every area appears.

Examples
--------
>>> GROUP_KEYS
('vso', 'robbery', 'weapons', 'combined')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svsna.config import Period, financial_year
from svsna.errors import ConfigError
from svsna.opendata.proxy import PROXY_GROUPS

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from svsna.engine import Warehouse
    from svsna.opendata.reference import ForceReference

__all__ = ["GROUP_KEYS", "GroupView", "OpenDataContext"]

GROUP_KEYS: tuple[str, ...] = tuple(g.key for g in PROXY_GROUPS)


@dataclass(frozen=True)
class GroupView:
    """The analysis kit's context protocol for the rows of one proxy group.

    >>> GroupView("Leicestershire", "vso", 1000, 0.95).definition
    'vso'
    """

    area_label: str
    definition: str
    multiplier: int
    confidence: float


@dataclass
class OpenDataContext:
    """Everything an open-data section needs.

    Parameters
    ----------
    wh : Warehouse
        Holds ``od_crimes``, ``od_geography``, ``od_population`` (see :mod:`svsna.opendata.street`).
    ref : ForceReference
        The force's reference data (boundaries path, populations).
    years : list of int
        Financial years to assess (starting years), each complete in the data.
    confidence : float
        Confidence level of every interval.
    multiplier : int
        Rates per this many residents (1,000).
    """

    wh: Warehouse
    ref: ForceReference
    years: list[int]
    confidence: float = 0.95
    multiplier: int = 1000
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def area(self) -> str:
        return self.ref.pfa_name

    # ---- the analysis kit's context protocol (svsna.analyses._figures.KitContext) ----
    @property
    def area_label(self) -> str:
        """The whole area's label on every indicator row (the force area name)."""
        return self.ref.pfa_name

    @property
    def definition(self) -> str:
        """Rows name their proxy group explicitly (``definition=`` per row); none by default."""
        return ""

    @property
    def ci_label(self) -> str:
        """``'95% CI'`` for a 0.95 confidence level."""
        return f"{100 * self.confidence:g}% CI"

    @property
    def periods(self) -> list[Period]:
        return [financial_year(y) for y in self.years]

    def for_group(self, key: str) -> GroupView:
        """The kit context of one proxy group's rows (``definition`` = ``key``)."""
        return GroupView(self.area_label, key, self.multiplier, self.confidence)

    @property
    def window(self) -> str:
        """The label of the whole assessed window (``'2020/21 to 2021/22'``; one year: its label)."""
        first, last = self.label(self.years[0]), self.label(self.years[-1])
        return first if first == last else f"{first} to {last}"

    def label(self, year: int) -> str:
        return financial_year(year).label

    def crimes(self) -> ibis.Table:
        """Loaded crimes in the assessed financial years."""
        t = self.wh.table("od_crimes")
        return t.filter(t.fin_year.isin(self.years))

    def check_complete_years(self) -> None:
        """Raise if an assessed financial year lacks any of its 12 months."""
        t = self.wh.table("od_crimes")
        have = self.wh.execute(t.group_by("fin_year").agg(months=t.month.nunique()))
        months = dict(zip(have["fin_year"], have["months"], strict=True))
        bad = {y: int(months.get(y, 0)) for y in self.years if months.get(y, 0) != 12}
        if bad:
            text = ", ".join(f"{self.label(y)} has {n} of 12 months" for y, n in bad.items())
            raise ConfigError(
                f"incomplete financial year(s): {text}; hint: choose --years whose months are all in the "
                "street files (run `svsna opendata fetch` for the missing months)"
            )

    def _proxy_counts(self) -> pd.DataFrame:
        """Proxy-group crimes by ``fin_year, month, lsoa_code, crime_type``: one query per run.

        Every other count of the sections (by year, month, local authority, CSP, force, LSOA) is
        a sum of these rows, so the warehouse is scanned once.
        """
        if "proxy_counts" not in self._cache:
            from svsna.opendata.proxy import group_for

            t = self.crimes()
            t = t.filter(t.crime_type.isin(list(group_for("combined").crime_types)))
            keys = ["fin_year", "month", "lsoa_code", "crime_type"]
            self._cache["proxy_counts"] = self.wh.execute(t.group_by(keys).agg(count=t.count()))
        return self._cache["proxy_counts"]

    def type_counts(self) -> pd.DataFrame:
        """All loaded crimes by ``fin_year, month, crime_type, outcome_category``: one query per run
        (the totals, the months present and the crime-type and outcome mixes are sums of it)."""
        if "type_counts" not in self._cache:
            t = self.crimes()
            keys = ["fin_year", "month", "crime_type", "outcome_category"]
            self._cache["type_counts"] = self.wh.execute(t.group_by(keys).agg(count=t.count()))
        return self._cache["type_counts"]

    def group_counts(self, by: list[str], index: dict[str, list[Any]] | None = None) -> pd.DataFrame:
        """Crimes per proxy group and ``by`` columns, zeros included.

        ``by`` are columns of ``od_crimes`` among ``fin_year``, ``month``, ``lsoa_code`` and the
        LSOA's areas (``lad_code``, ``csp_code``, ``pfa_code``, ``imd_decile`` ...). ``index`` gives
        the full set of values of each ``by`` column (e.g. every LSOA), so that areas without
        crimes get a zero. Returns ``by + [group, count]``.
        """
        import itertools

        import pandas as pd

        raw = self._proxy_counts()
        area_cols = [c for c in by if c not in ("fin_year", "month", "lsoa_code", "crime_type")]
        if area_cols:  # the LSOA's areas, from the lookup od_crimes was joined with
            geo = self.ref.geography.drop_duplicates("lsoa_code")[["lsoa_code", *area_cols]]
            raw = raw.merge(geo, on="lsoa_code", how="left")
        rows = []
        for g in PROXY_GROUPS:
            sub = raw[raw["crime_type"].isin(g.crime_types)]
            s = sub.groupby(by, as_index=False)["count"].sum() if len(sub) else pd.DataFrame(columns=[*by, "count"])
            rows.append(s.assign(group=g.key))
        out = pd.concat(rows, ignore_index=True)
        index = dict(index or {})
        for col in by:
            index.setdefault(col, sorted(raw[col].dropna().unique().tolist()))
        grid = pd.DataFrame(list(itertools.product(*[index[c] for c in by], GROUP_KEYS)), columns=[*by, "group"])
        merged = grid.merge(out, on=[*by, "group"], how="left")
        merged["count"] = merged["count"].fillna(0).astype("int64")
        return merged

    def population(self, level: str, year: int) -> pd.DataFrame:
        """``area_code, population`` of ``level`` areas for the estimate used for ``year``."""
        p = self.ref.population_for(level, year)
        return p[["area_code", "population", "year"]].rename(columns={"year": "population_year"})

    def has_population(self, level: str) -> bool:
        """Whether population estimates exist for ``level`` areas (``lsoa``, ``lad``, ...)."""
        return bool((self.ref.population["level"] == level).any())

    def force_population(self, year: int) -> float:
        return float(self.population("pfa", year)["population"].sum())
