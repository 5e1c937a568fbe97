"""OpenID for Verifiable Credential Issuance 1.0: NIXA issues the citizen's identity as an SD-JWT VC.

``metadata`` (Section 12.2), ``offers`` (Section 4, pre-authorized code grant of Section 6.1), ``nonces``
(Section 7), ``proofs`` (Appendix F.1), ``issuance`` (Section 8, the Credential Endpoint) and
``revocation`` (the status list entry of each issued credential).
"""
