"""Tables of the proofing work (issue 3); see the module docstrings of idp/proofing*."""

from __future__ import annotations

from idp.db import Base  # noqa: F401
