"""Placeholder router, filled in by the registration work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
