"""``python -m bench``: NIXA and node oidc-provider measured side by side on this machine (see README.md)."""
