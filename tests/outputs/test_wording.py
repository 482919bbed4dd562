"""Number wording as the LLR executive summary (January 2022) writes it.

Expected strings are the reference's own phrases for the reference's own figures, e.g.
"Almost three quarters of perpetrators were identified as White (74.6%)", "1 in 10 offences
involved a knife", "The rate for under 25s was 1.6 times the rate for over 25s", "a decrease
of 14.6%", "Leicester ranks 14th".
"""

from __future__ import annotations

import pytest

from svsna.outputs.wording import (
    change_words,
    fmt_count,
    fmt_pct,
    fmt_rate,
    hour_range,
    is_significant,
    ordinal,
    share_words,
    significance_words,
    times_words,
)


@pytest.mark.parametrize(
    ("pct", "words"),
    [
        (74.6, "almost three quarters"),  # perpetrators White (reference)
        (73.2, "almost three quarters"),  # victims White (reference)
        (10.0, "1 in 10"),  # knife (reference: "1 in 10 offences")
        (31.3, "almost a third"),  # NTE share; reference: "almost a third ... night time economy"
        (69.6, "nearly seven in ten"),  # victims male; reference: "Nearly seven in ten victims were male"
        (80.0, "eight in ten"),  # reference: "Eight in ten perpetrators in the NTE are male"
        (38.0, "nearly four in ten"),  # reference: "Nearly four in ten repeat offenders live in West Leicester"
        (50.0, "half"),
        (25.0, "a quarter"),
        (5.0, "1 in 20"),  # 100 / 5 = 20
        (12.5, "1 in 8"),  # 100 / 12.5 = 8
        (0.5, "0.5%"),  # reference: "0.5% of LLR residents were a victim"
    ],
)
def test_share_words_match_reference_phrases(pct, words):
    assert share_words(pct) == words


def test_share_words_falls_back_to_percentage_and_rejects_bad_input():
    assert share_words(96.0) == "96.0%"  # not near any round fraction or tenth
    assert share_words(0) == "none"
    with pytest.raises(ValueError, match="between 0 and 100"):
        share_words(120)


def test_numbers_formatted_like_the_reference():
    assert fmt_count(3529) == "3,529"
    assert fmt_pct(14.6) == "14.6%"
    assert fmt_pct(67.66) == "67.7%"  # "67.7% of the rate seen for 2020/21"
    assert fmt_rate(9.4712) == "9.47"  # geography table, Leicester
    assert times_words(1.6) == "1.6 times"
    assert times_words(3.46) == "3.5 times"  # "almost 3.5 times"
    assert times_words(1.98) == "roughly double"  # "roughly double that of those committed by over 25s"
    assert change_words(-14.6) == "a decrease of 14.6%"
    assert change_words(12.3) == "an increase of 12.3%"
    assert ordinal(14) == "14th" and ordinal(136) == "136th" and ordinal(148) == "148th"
    assert hour_range(15) == "15:00-15:59" and hour_range(23) == "23:00-23:59"
    with pytest.raises(ValueError):
        hour_range(24)


def test_significance_language_only_when_significant():
    assert is_significant("Higher") and is_significant("Decrease") and is_significant("special_cause_concern")
    assert not is_significant("Similar") and not is_significant("No significant change")
    assert not is_significant(None) and not is_significant("Not compared") and not is_significant(float("nan"))
    assert significance_words("Worse") == "significantly worse than England"
    assert significance_words("Similar") == "similar to England"
    assert "significant" not in significance_words("Not compared")
