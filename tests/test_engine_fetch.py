"""Fetching results through the engine: plain pandas, without paying for geopandas."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_result_without_geometry_does_not_import_geopandas(tmp_path) -> None:
    # ibis imports geopandas on every conversion to pandas when it is installed (it is: the maps use
    # it); a warehouse result has no geometry column, so the engine converts it without that look-up
    script = textwrap.dedent(
        f"""
        import sys
        import pandas as pd
        import ibis.formats.pandas as ibis_pandas
        from svsna.engine import open_warehouse

        wh = open_warehouse({str(tmp_path)!r})
        wh.write_table("t", pd.DataFrame({{"a": [1, 2, 2], "b": ["x", "y", None]}}))
        t = wh.table("t")
        df = wh.execute(t.group_by("a").aggregate(n=t.count()).order_by("a"))
        assert type(df) is pd.DataFrame, type(df)
        assert df.to_dict("list") == {{"a": [1, 2], "n": [1, 2]}}, df
        assert "geopandas" not in sys.modules
        assert ibis_pandas.geospatial_supported is True  # the look-up is turned back on afterwards
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
