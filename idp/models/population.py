"""Tables of the population work (issue 3); see the module docstrings of idp/population*."""

from __future__ import annotations

from idp.db import Base  # noqa: F401
