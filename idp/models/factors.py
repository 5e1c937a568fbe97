"""Tables of the factors work (issue 3); see the module docstrings of idp/factors*."""

from __future__ import annotations

from idp.db import Base  # noqa: F401
