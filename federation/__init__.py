"""federation package: see ../shared/DESIGN.md; built by later issues."""
