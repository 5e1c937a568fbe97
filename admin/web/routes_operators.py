"""Operators: who holds which role, by whom and since when (read only; roles change by `nixa admin`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from admin import operators
from admin.console_sessions import Operator
from admin.permissions import Permission
from admin.web.deps import ConsoleDep, require
from idp.models import Identity

router = APIRouter(prefix="/operators")
Viewer = Annotated[Operator, Depends(require(Permission.OPERATOR_VIEW))]


@router.get("")
def operator_list(request: Request, c: ConsoleDep, operator: Viewer) -> Response:
    with c.platform.db.read_session() as s:
        grants = operators.all_grants(s)
        names = {}
        for identity_id in {g.identity_id for g in grants}:
            identity = s.get(Identity, identity_id)
            names[identity_id] = c.provider.identities.person(identity).full_name if identity else None
    return c.render(request, "admin/operators.html", operator, grants=grants, names=names)
