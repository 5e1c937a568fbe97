"""node oidc-provider under test (bench/peer/server.mjs)."""
