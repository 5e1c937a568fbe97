"""Placeholder router for the proofing work (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
