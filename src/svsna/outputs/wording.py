"""Numbers in words, as the reference SNA writes them.

The LLR executive summary (January 2022) writes shares as "1 in 10", "almost three
quarters", "nearly seven in ten", "over half"; ratios as "1.6 times"; changes as
"a decrease of 14.6%"; percentages to one decimal place ("14.6%") and counts with a
thousands separator ("3,529"). These helpers make the report say things the same way,
and say "significant" only when a test said so.

Examples
--------
>>> share_words(73.2), share_words(10.1), share_words(69.6)
('almost three quarters', '1 in 10', 'nearly seven in ten')
>>> times_words(1.6), fmt_pct(14.6), fmt_count(3529)
('1.6 times', '14.6%', '3,529')
>>> change_words(-14.6)
'a decrease of 14.6%'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

__all__ = [
    "NOT_SIGNIFICANT",
    "SIGNIFICANT",
    "change_words",
    "day_words",
    "fmt_count",
    "fmt_number",
    "fmt_pct",
    "fmt_rate",
    "hour_range",
    "is_significant",
    "join_words",
    "month_words",
    "nest_brackets",
    "ordinal",
    "plural",
    "share_words",
    "significance_words",
    "times_words",
]

#: Significance labels that mean a test found a difference (see ``svsna.indicators``).
SIGNIFICANT: frozenset[str] = frozenset(
    {
        "higher",
        "lower",
        "better",
        "worse",
        "increase",
        "decrease",
        "increasing",
        "decreasing",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
        "special_cause_neutral_low",
        "special_cause_neutral",
        "hot spot",
        "cold spot",
    }
)
#: Labels that mean no difference was found, or no test was made.
NOT_SIGNIFICANT: frozenset[str] = frozenset(
    {"similar", "same", "no significant change", "not compared", "cannot be calculated", "common_cause", ""}
)

_SMALL_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _finite(x: float | None) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def fmt_count(n: float | None) -> str:
    """A count with a thousands separator; ``"-"`` when missing.

    >>> fmt_count(1234567), fmt_count(None), fmt_count(12.0)
    ('1,234,567', '-', '12')
    """
    if not _finite(n):
        return "-"
    return f"{round(n):,}"


def residents_words(n: float) -> str:
    """A number of residents as a report gives it: millions to one decimal place from a million
    up, else the count rounded to the nearest 1,000 (to the nearest 10 below 1,000). The
    population sentence and its "At a glance" tile both use it, so they give the same figure.

    >>> residents_words(1_104_523), residents_words(63_412), residents_words(62_500), residents_words(847)
    ('1.1 million', '63,000', '62,000', '850')
    """
    if n >= 999_500:  # would round to 1,000,000: said in millions
        return f"{n / 1e6:.1f} million"
    return fmt_count(round(n, -3) if n >= 1_000 else round(n, -1))


def fmt_number(x: float | None, dp: int = 1) -> str:
    """A number to ``dp`` decimal places with a thousands separator.

    >>> fmt_number(1234.567, 2), fmt_number(float("nan"))
    ('1,234.57', '-')
    """
    if not _finite(x):
        return "-"
    return f"{x:,.{dp}f}"


def fmt_pct(x: float | None, dp: int = 1) -> str:
    """A percentage (already on the 0-100 scale) to ``dp`` places: ``14.6%``.

    >>> fmt_pct(14.64), fmt_pct(100), fmt_pct(None)
    ('14.6%', '100.0%', '-')
    """
    if not _finite(x):
        return "-"
    return f"{x:.{dp}f}%"


def fmt_rate(x: float | None, dp: int = 2) -> str:
    """A rate per 1,000 to two decimal places, as in the reference's tables (``9.47``); a rate above
    zero that would round to zero is ``<0.01`` (a district's murder rate is not nought).

    >>> fmt_rate(9.4712), fmt_rate(0.05), fmt_rate(0.004), fmt_rate(0.0)
    ('9.47', '0.05', '<0.01', '0.00')
    """
    if _finite(x) and 0 < x < 0.5 * 10**-dp:  # type: ignore[operator]
        return f"<{10**-dp:.{dp}f}"
    return fmt_number(x, dp)


def ordinal(n: int) -> str:
    """``14th``, ``1st``, ``22nd``, ``113th``.

    >>> [ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 101, 113, 136)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '14th', '21st', '22nd', '101st', '113th', '136th']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def hour_range(hour: int) -> str:
    """The clock hour as the reference writes it: ``15:00-15:59``.

    >>> hour_range(15), hour_range(0)
    ('15:00-15:59', '00:00-00:59')
    """
    if not 0 <= int(hour) <= 23:
        raise ValueError(f"hour must be 0-23, got {hour!r}")
    return f"{int(hour):02d}:00-{int(hour):02d}:59"


def times_words(ratio: float | None) -> str:
    """A ratio of two rates in words: ``1.6 times``, ``roughly double``.

    Ratios within 0.05 of 2 are "roughly double" (the reference: "roughly double that
    of those committed by over 25s"); otherwise one decimal place.

    >>> times_words(1.62), times_words(2.03), times_words(3.46), times_words(None)
    ('1.6 times', 'roughly double', '3.5 times', '-')
    """
    if not _finite(ratio):
        return "-"
    if abs(ratio - 2.0) <= 0.05:
        return "roughly double"
    return f"{ratio:.1f} times"


def change_words(pct_change: float | None, dp: int = 1) -> str:
    """A percentage change as "a decrease of 14.6%" / "an increase of 12.3%".

    >>> change_words(-14.6), change_words(12.34), change_words(0.0)
    ('a decrease of 14.6%', 'an increase of 12.3%', 'no change')
    """
    if not _finite(pct_change):
        return "-"
    if round(pct_change, dp) == 0:
        return "no change"
    kind = "an increase" if pct_change > 0 else "a decrease"
    return f"{kind} of {fmt_pct(abs(pct_change), dp)}"


# (target percentage, words), the "round" fractions the reference prefers.
_ROUND_FRACTIONS: tuple[tuple[float, str], ...] = (
    (25.0, "a quarter"),
    (100 / 3, "a third"),
    (50.0, "half"),
    (200 / 3, "two thirds"),
    (75.0, "three quarters"),
)
_EXACT = 0.25  # within this many percentage points: no qualifier
_ROUND_TOL = 2.5  # a round fraction is used within this many points
_TENTHS_TOL = 4.0


def _qualify(diff: float, words: str) -> str:
    if abs(diff) < _EXACT:
        return words
    if diff < 0:
        return f"{'almost' if 'quarter' in words or 'third' in words else 'nearly'} {words}"
    return f"{'just over' if diff <= 2 else 'over'} {words}"


def share_words(pct: float | None) -> str:
    """A share (0-100) in words, as the reference writes it.

    Round fractions (a quarter, a third, half, two thirds, three quarters) are used
    within 2.5 percentage points, then tenths ("seven in ten") within 4 points;
    shares from 5% to 15% are "1 in N" with N = round(100 / pct), smaller ones stay
    percentages ("0.5%"); very high or awkward
    shares fall back to the percentage itself. "almost"/"nearly" mark a share just
    below the fraction, "just over"/"over" one above it.

    >>> [share_words(p) for p in (74.6, 31.3, 52.0, 38.0)]
    ['almost three quarters', 'almost a third', 'just over half', 'nearly four in ten']
    >>> [share_words(p) for p in (80.0, 50.0, 5.0, 0.5, 99.0)]
    ['eight in ten', 'half', '1 in 20', '0.5%', '99.0%']
    """
    if not _finite(pct):
        return "-"
    if not 0 <= pct <= 100:
        raise ValueError(f"a share must be between 0 and 100, got {pct!r}")
    if pct == 0:
        return "none"
    if pct < 5:
        return fmt_pct(pct)  # "0.5% of residents", as the reference writes small shares
    if pct < 15:
        return f"1 in {round(100 / pct)}"
    best = min(_ROUND_FRACTIONS, key=lambda t: abs(pct - t[0]))
    if abs(pct - best[0]) <= _ROUND_TOL:
        return _qualify(pct - best[0], best[1])
    tenth = min(range(2, 10), key=lambda k: abs(pct - 10 * k))
    if abs(pct - 10 * tenth) <= _TENTHS_TOL:
        return _qualify(pct - 10 * tenth, f"{_SMALL_WORDS[tenth]} in ten")
    return fmt_pct(pct)


def is_significant(significance: str | None) -> bool:
    """Whether a significance label records a statistically significant result.

    >>> is_significant("Higher"), is_significant("Similar"), is_significant(None)
    (True, False, False)
    """
    if significance is None or (isinstance(significance, float) and math.isnan(significance)):
        return False
    return str(significance).strip().lower() in SIGNIFICANT


_COMPARE_WORDS: Mapping[str, str] = {
    "higher": "significantly higher than",
    "lower": "significantly lower than",
    "better": "significantly better than",
    "worse": "significantly worse than",
    "similar": "similar to",
    "same": "similar to",
}


def significance_words(significance: str | None, comparator: str = "England") -> str:
    """How a comparison reads: "significantly higher than England" only when significant.

    >>> significance_words("Higher"), significance_words("Similar", "the national average")
    ('significantly higher than England', 'similar to the national average')
    >>> significance_words("Not compared")
    'not compared with England'
    """
    key = (significance or "").strip().lower()
    if key in _COMPARE_WORDS:
        return f"{_COMPARE_WORDS[key]} {comparator}"
    if key in ("increase", "increasing"):
        return "a significant increase"
    if key in ("decrease", "decreasing"):
        return "a significant decrease"
    if key == "no significant change":
        return "no significant change"
    return f"not compared with {comparator}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_words(month: object) -> str:
    """A ``YYYY-MM`` month as the reference writes it: ``July 2021``; other text unchanged.

    >>> month_words("2021-07"), month_words("2020-11-01"), month_words("2020/21")
    ('July 2021', 'November 2020', '2020/21')
    """
    import re

    text = str(month)
    m = re.fullmatch(r"((?:19|20)\d\d)-(0[1-9]|1[0-2])(?:-\d\d)?", text.strip())
    if not m:
        return text
    return f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}"


def day_words(day: object) -> str:
    """A day of the week in full: ``Sat`` -> ``Saturday`` (0 = Monday also accepted).

    >>> day_words("Sat"), day_words("sunday"), day_words(0), day_words("x")
    ('Saturday', 'Sunday', 'Monday', 'x')
    """
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    if isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6:
        return names[day]
    text = str(day).strip()
    for n in names:
        if text.lower()[:3] == n.lower()[:3] and len(text) >= 3:
            return n
    return text


def plural(n: float | None, singular: str, plural_form: str | None = None) -> str:
    """``singular`` or its plural, by the number: ``1 person``, ``2 people``, ``25 hot spots``.

    >>> plural(1, "person", "people"), plural(2, "person", "people"), plural(25, "hot spot"), plural(0, "LSOA")
    ('person', 'people', 'hot spots', 'LSOAs')
    """
    if n is not None and _finite(n) and abs(float(n)) == 1:
        return singular
    return plural_form or (singular + "es" if singular.endswith(("s", "sh", "ch", "x")) else singular + "s")


def join_words(items: list[str] | tuple[str, ...], conjunction: str = "and") -> str:
    """A list in prose: ``a``, ``a and b``, ``a, b and c``.

    >>> join_words(["Leicester"]), join_words(["East", "West"]), join_words(["a", "b", "c"]), join_words([])
    ('Leicester', 'East and West', 'a, b and c', '')
    """
    items = [str(i) for i in items if str(i)]
    if len(items) <= 1:
        return items[0] if items else ""
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def nest_brackets(text: str) -> str:
    """Brackets inside brackets as square brackets, the way style guides print them (APA 7, 6.10;
    New Hart's Rules, 4.9.2): a period label or confidence interval placed inside a bracketed
    aside would otherwise close with "))".

    Text whose round brackets do not pair is returned unchanged.

    >>> nest_brackets("Rate, LLR (2017/18 to 2021/22 (Apr-Sep))")
    'Rate, LLR (2017/18 to 2021/22 [Apr-Sep])'
    >>> nest_brackets("aged 15-19 (10.26 per 1,000 residents (95% CI 9.19 to 11.41)), then 20-24 (9.1)")
    'aged 15-19 (10.26 per 1,000 residents [95% CI 9.19 to 11.41]), then 20-24 (9.1)'
    >>> nest_brackets("a (b (c (d)))"), nest_brackets("1) unpaired (")
    ('a (b [c [d]])', '1) unpaired (')
    """
    if "(" not in text:
        return text
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            out.append("(" if depth == 0 else "[")
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return text
            out.append(")" if depth == 0 else "]")
        else:
            out.append(ch)
    return "".join(out) if depth == 0 else text
