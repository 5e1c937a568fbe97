"""Placeholder router, filled in by the logout work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
