"""NIXA: the platform core and the OpenID Provider."""
