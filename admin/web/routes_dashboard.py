"""The dashboard: today's logins by portal and by level, failures and lockouts, the verification backlog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from admin import dashboard
from admin.charts import Series, stacked_bars
from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import ConsoleDep, require
from idp.web.i18n import translate

router = APIRouter()


@router.get("/")
def dashboard_page(
    request: Request,
    c: ConsoleDep,
    operator: Annotated[Operator, Depends(require(Permission.DASHBOARD_VIEW))],
) -> Response:
    with c.platform.db.read_session() as s:
        board = dashboard.build(s)
    locale = c.pages.locale(request)
    t = lambda key: translate(key, locale)  # noqa: E731
    failures = [Series(t(f"admin.dashboard.failure.{x.label}"), x.values) for x in board.failures]
    ages = [label for _, label in dashboard.AGE_BUCKETS]
    charts = {
        "by_portal": stacked_bars(t("admin.dashboard.by_portal"), board.hours, board.logins_by_portal),
        "by_level": stacked_bars(t("admin.dashboard.by_level"), board.hours, board.logins_by_level),
        "failures": stacked_bars(t("admin.dashboard.failures"), board.hours, failures),
        "backlog": stacked_bars(
            t("admin.dashboard.backlog"), ages, [Series(t("admin.dashboard.pending"), board.backlog.by_age)]
        ),
    }
    return c.render(
        request, "admin/dashboard.html", operator, board=board, charts=charts, failures=failures, ages=ages
    )
