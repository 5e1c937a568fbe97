"""The `nixa` command: the composition root that wires idp, federation, wallet and admin."""
