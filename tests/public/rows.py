"""Hand-built indicator rows the public-release tests share, with their values worked out by hand."""

from __future__ import annotations

import pandas as pd

from svsna.indicators import indicator_rows


def nte_perpetrator_sex_share() -> pd.DataFrame:
    """Night-time-economy perpetrators by sex: male 69 of 92 (75.0%), female 23 of 92 (25.0%), with Wilson
    limits. Under nhsd_2018 (counts rounded to the nearest 5) the male share is published as 70 of 90 (77.8%)."""
    return indicator_rows(
        pd.DataFrame(
            {"numerator": [69.0, 23.0], "denominator": [92.0, 92.0], "value": [75.0, 25.0], "lower": [65.3, 17.3],
             "upper": [82.7, 34.7]}
        ),
        section="nte",
        indicator="nte_perpetrator_sex_share",
        period="P",
        area="X",
        breakdown="sex",
        breakdown_value=["Male", "Female"],
        statistic="percentage",
        method="Wilson",
    )  # fmt: skip
