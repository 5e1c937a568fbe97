"""The catalogue of upstream identity providers NIXA brokers logins through (OIDC and SAML 2.0)."""
