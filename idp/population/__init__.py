"""The national population registry, as NIXA matches identities against it (issue 3)."""
