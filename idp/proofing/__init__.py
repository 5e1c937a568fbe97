"""Identity proofing to urn:nixa:loa:3: evidence upload by the citizen, four-eyes decision by operators."""
