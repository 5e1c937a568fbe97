"""Logins brokered through upstream identity providers: OIDC and SAML 2.0 (issue 5)."""
