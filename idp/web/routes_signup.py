"""Placeholder router for the signup work (issue 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
