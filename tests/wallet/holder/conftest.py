from tests.wallet.credential_fixtures import app, credential_settings, phone, services, verified

__all__ = ["app", "credential_settings", "phone", "services", "verified"]
