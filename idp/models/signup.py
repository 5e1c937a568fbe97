"""Tables of the signup work (issue 3); see the module docstrings of idp/signup*."""

from __future__ import annotations

from idp.db import Base  # noqa: F401
