"""OpenID Federation 1.0: entity statements, trust chains, metadata policy, trust marks and the
federation endpoints, with NIXA as trust anchor, intermediates and an OpenID Provider leaf that admits
portals of the federation by automatic or explicit registration (OpenID Federation 1.0 Section 12)."""
