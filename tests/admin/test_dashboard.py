"""The dashboard: logins per hour by portal and by level, failures and lockouts, the verification backlog."""

from __future__ import annotations

from fastapi.testclient import TestClient

from admin.permissions import Role
from tests.admin.conftest import sign_in_directly
from tests.conftest import ISSUER
from tests.support.factories import make_citizen, make_portal
from tests.support.flows import authorize, begin, interaction_location, submit_login
from tests.support.operators import make_pending_verification


def test_dashboard_charts_logins_failures_and_backlog(
    console, console_browser, operator_factory, op, app, platform
) -> None:
    sign_in_directly(console, console_browser, operator_factory(Role.VERIFIER))
    portal = make_portal(platform, name="Cổng Bảo hiểm")
    for _ in range(2):
        with TestClient(app, base_url=ISSUER) as device:
            authorize(device, portal, make_citizen(op))
    with TestClient(app, base_url=ISSUER) as device:
        submit_login(device, interaction_location(begin(device, portal)), "001090123456", "wrong")
    make_pending_verification(op, make_citizen(op))
    page = console_browser.get("/")
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 4 and 'role="img"' in html
    by_portal = html.split('id="h-by_portal"')[1].split("</section>")[0]
    assert '<tr data-series="Cổng Bảo hiểm"><td>Cổng Bảo hiểm</td><td>2</td></tr>' in by_portal
    by_level = html.split('id="h-by_level"')[1].split("</section>")[0]
    assert '<tr data-series="loa:2"><td>loa:2</td><td>2</td></tr>' in by_level
    failures = html.split('id="h-failures"')[1].split("</section>")[0]
    assert "Sai mật khẩu</td><td>1</td>" in failures
    assert 'data-pending="1"' in html


def test_chart_labels_are_escaped() -> None:
    from admin.charts import Series, stacked_bars

    svg = str(stacked_bars('Cổng "A" <b>', ["00:00"], [Series("<script>alert(1)</script>", [3])]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&quot;A&quot;" in svg
    assert svg.count("<rect") == 2  # the bar and its legend swatch
