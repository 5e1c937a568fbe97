"""OpenID for Verifiable Presentations 1.0: NIXA as a verifier of SD-JWT VCs (the verifier page and portals).

``dcql`` (Section 6, the query), ``request_objects`` (Section 5, signed request by reference),
``verification`` (checking the vp_token), ``service`` (transactions), ``routes`` (HTTP and pages).
"""
