"""The row ledger: where every input row went.

For each source file the ledger holds one ``read`` line, one ``loaded`` line and one
``rejected`` line per primary reason; ``read == loaded + rejected`` is checked whenever a
file is recorded and again by :meth:`Ledger.check`. Definition decisions add
``excluded`` lines with their definition (those rows are still loaded: they are in the
warehouse with their decision). Open data add ``excluded`` lines at ingest, without a
definition (valid rows a contract's ``exclusions`` keep out of the analysis, e.g. a police.uk
crime with no location); for those ``read == loaded + excluded + rejected``. A source that
was not supplied gets a ``read`` line with reason ``not supplied`` and 0 rows.

Examples
--------
>>> led = Ledger()
>>> led.add_file("offences", "offences.csv", read=5, loaded=4, rejected={"unknown code (ho_code)": 1}, how="csv")
>>> led.add_excluded("offences", "offences.csv", "llr_vrn", "excluded: domestic", 2)
>>> led.not_supplied("ambulance")
>>> led.frame()[["source", "outcome", "reason", "rows"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['offences', 'read', 'csv', 5], ['offences', 'loaded', '', 4], ['offences', 'rejected', 'unknown code (ho_code)', 1],
 ['offences', 'excluded', 'excluded by definition llr_vrn: domestic', 2], ['ambulance', 'read', 'not supplied', 0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LEDGER_COLUMNS", "NOT_SUPPLIED", "Ledger", "unusable_sources"]

LEDGER_COLUMNS: tuple[str, ...] = ("source", "file", "outcome", "reason", "rows", "definition")
NOT_SUPPLIED = "not supplied"


@dataclass
class Ledger:
    """Accumulates ledger lines as files are ingested."""

    lines: list[dict[str, object]] = field(default_factory=list)

    def _line(
        self, source: str, file: str, outcome: str, reason: str, rows: int, definition: str | None = None
    ) -> None:
        self.lines.append(
            {
                "source": source,
                "file": file,
                "outcome": outcome,
                "reason": reason,
                "rows": int(rows),
                "definition": definition,
            }
        )

    def add_file(
        self,
        source: str,
        file: str,
        *,
        read: int,
        loaded: int,
        rejected: dict[str, int],
        how: str,
        excluded: dict[str, int] | None = None,
    ) -> None:
        """Record one file; raises AssertionError unless ``read == loaded + sum(excluded) + sum(rejected)``.

        ``excluded`` are rows excluded at ingest (open data), by their ledger reason.
        """
        excluded = excluded or {}
        total_rejected, total_excluded = sum(rejected.values()), sum(excluded.values())
        if read != loaded + total_excluded + total_rejected:
            raise AssertionError(
                f"{file}: read {read} != loaded {loaded} + excluded {total_excluded} + rejected {total_rejected}"
            )
        self._line(source, file, "read", how, read)
        self._line(source, file, "loaded", "", loaded)
        for outcome, reasons in (("excluded", excluded), ("rejected", rejected)):
            for reason, rows in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
                if rows:
                    self._line(source, file, outcome, reason, rows)

    def add_excluded(self, source: str, file: str, definition: str, reason: str, rows: int) -> None:
        """Record loaded rows that a definition excludes (``reason`` as the classifier gives it)."""
        short = reason.removeprefix("excluded: ")
        self._line(source, file, "excluded", f"excluded by definition {definition}: {short}", rows, definition)

    def not_supplied(self, source: str) -> None:
        self._line(source, "", "read", NOT_SUPPLIED, 0)

    def check(self) -> None:
        """Assert ``read == loaded + rejected`` (+ excluded at ingest) for every file."""
        totals: dict[tuple[str, str], dict[str, int]] = {}
        for line in self.lines:
            if line["definition"] is not None or line["reason"] == NOT_SUPPLIED:
                continue
            key = (str(line["source"]), str(line["file"]))
            bucket = totals.setdefault(key, {"read": 0, "loaded": 0, "excluded": 0, "rejected": 0})
            bucket[str(line["outcome"])] += int(line["rows"])  # type: ignore[call-overload]
        for (source, file), t in totals.items():
            if t["read"] != t["loaded"] + t["excluded"] + t["rejected"]:
                raise AssertionError(f"ledger broken for {source} {file}: {t}")

    def frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame with :data:`LEDGER_COLUMNS`."""
        import pandas as pd

        df = pd.DataFrame(self.lines, columns=list(LEDGER_COLUMNS))
        df["rows"] = df["rows"].astype("int64")
        return df


def unusable_sources(ledger: pd.DataFrame) -> list[dict[str, Any]]:
    """The sources of a row ledger (``source, file, outcome, reason, rows``) that had rows read and
    none loaded: ``{source, file, read, loaded, rejected, reasons}`` each, ``reasons`` the rejection
    reasons with their rows, most rows first.

    >>> import pandas as pd
    >>> led = pd.DataFrame({"source": ["admissions"] * 3 + ["ambulance"] * 2,
    ...     "file": ["adm.csv"] * 3 + ["", ""], "outcome": ["read", "loaded", "rejected", "read", "loaded"],
    ...     "reason": ["csv", "", "invalid date (admission_date)", "not supplied", ""], "rows": [3, 0, 3, 0, 0]})
    >>> [(u["source"], u["file"], u["read"], u["rejected"]) for u in unusable_sources(led)]
    [('admissions', 'adm.csv', 3, 3)]
    """
    import pandas as pd

    out: list[dict[str, Any]] = []
    if ledger.empty:
        return out
    led = ledger.assign(rows=pd.to_numeric(ledger["rows"], errors="coerce").fillna(0).astype(int))
    for source in dict.fromkeys(led["source"].astype(str)):
        s = led[led["source"].astype(str) == source]
        read, loaded, rejected = (int(s.loc[s["outcome"] == k, "rows"].sum()) for k in ("read", "loaded", "rejected"))
        if read <= 0 or loaded > 0:
            continue
        files = [str(f) for f in s.loc[s["outcome"] == "read", "file"].dropna() if str(f)]
        rej = s[s["outcome"] == "rejected"].groupby("reason")["rows"].sum()
        reasons = sorted(((str(k), int(v)) for k, v in rej.items()), key=lambda kv: (-kv[1], kv[0]))
        out.append(
            {
                "source": source,
                "file": ", ".join(dict.fromkeys(files)),
                "read": read,
                "loaded": loaded,
                "rejected": rejected,
                "reasons": [{"reason": r, "rows": n} for r, n in reasons],
            }
        )
    return out
