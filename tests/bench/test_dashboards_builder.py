"""The England-scale builder (`bench/dashboards.py`) at a tiny size: the COPYed rows keep the
foreign keys (checked at commit), every dashboard answers with figures, and each hand-written
baseline query finds something. PostgreSQL only: the builder uses COPY."""

import pytest

from tests.bench import COPY_BUILDER

pytest.importorskip("numpy")  # the builder's; not a project dependency

from bench import dashboards  # noqa: E402

pytestmark = COPY_BUILDER


def test_a_small_service_builds_and_every_dashboard_has_figures(client):
    args = dashboards.parse_args(
        ["--referrals", "2000", "--contacts", "20000", "--measures", "4000"]
        + ["--sites", "3", "--coordinators", "12"]
    )
    built = dashboards.build(args)
    assert built.counts["referrals"] == 2000
    assert built.counts["contacts"] > 15000
    assert 2500 < built.counts["measures"] < 5500
    assert built.counts["closed"] and built.counts["waiting now"]

    client.force_login(built.manager)
    for key in dashboards.DASHBOARD_KEYS:
        response = client.get(f"/reports/{key}/?format=json")
        assert response.status_code == 200, key
        values = [
            f["value"]
            for section in response.json()["sections"]
            for f in section["figures"]
            if isinstance(f["value"], int | float)
        ]
        assert any(values), key
    site_ids = [s.pk for s in built.sites]
    for key, sql in dashboards.baseline_sql().items():
        row = dashboards.baseline_runner(sql, site_ids)(0)[0]
        assert any(cell for cell in row), key
