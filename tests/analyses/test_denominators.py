"""Population denominators aggregated in the engine (``svsna.analyses._denominators``), against sums
worked out by hand.

LSOA A (district D1): persons rows only, 10 residents at every single year 0-89 and 5 aged 90+.
LSOA B (district D1): sex rows only, 3 males and 4 females at every single year 0-89, 1 male and
2 females aged 90+. No district rows, so D1 and the area are summed from the LSOAs.
"""

from __future__ import annotations

import pandas as pd
import pytest

from svsna.analyses._denominators import Denominators
from svsna.config import financial_year
from svsna.engine import open_warehouse


@pytest.fixture(scope="module")
def den(tmp_path_factory):
    rows = []
    for age in range(90):
        rows.append(("A", age, age, "P", 10))
        rows.append(("B", age, age, "M", 3))
        rows.append(("B", age, age, "F", 4))
    rows += [("A", 90, 120, "P", 5), ("B", 90, 120, "M", 1), ("B", 90, 120, "F", 2)]
    pop = pd.DataFrame(rows, columns=["area_code", "age_from", "age_to", "sex", "population"]).assign(year=2020)
    geo = pd.DataFrame(
        {"lsoa_code": ["A", "B"], "district_code": ["D1", "D1"], "district_name": ["Dee", "Dee"],
         "county_code": ["C1", "C1"], "county_name": ["Cee", "Cee"], "npa": ["N", "N"]}
    )  # fmt: skip
    wh = open_warehouse(tmp_path_factory.mktemp("den"))
    wh.write_table("population", pop)
    wh.write_table("geography", geo)
    d = Denominators(wh, geo, cuts=set(range(0, 95, 5)) | {25})
    yield d
    wh.close()


def test_persons_from_sexes_and_levels_summed_from_lsoas(den):
    # whole area: A 10 x 90 + 5 = 905; B (3 + 4) x 90 + 3 = 633
    assert den.whole(2020) == 905 + 633
    assert den.whole(2020, age_to=24) == 250 + 175  # 25 single years each
    assert den.by_unit(2020, "lsoa", age_from=25) == {"A": 650 + 5, "B": 65 * 7 + 3}
    assert den.by_unit(2020, "district") == {"Dee": 1538.0}
    assert den.by_unit(2020, "npa", sex="M") == {"N": 3 * 90 + 1}  # A has no sex rows
    assert den.whole(2020, age_from=90, age_to=120, sex="F") == 2


def test_a_request_between_cut_points_is_exact(den):
    # 0-17 is not a five-year boundary: the table is rebuilt with 18 as a cut
    assert den.whole(2020, age_to=17) == 18 * 10 + 18 * 7
    assert 18 in den.cuts
    assert den.whole(2020, age_from=18, age_to=24) == 7 * 10 + 7 * 7


def test_year_for_a_period(den):
    assert den.year_for(financial_year(2020)) == 2020
    assert den.year_for(financial_year(2023)) == 2020  # the latest earlier year
    assert den.year_for(financial_year(2010)) == 2020  # the data start later: the earliest
