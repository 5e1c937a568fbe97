"""The reference holder wallet: a library and the ``nixa-wallet`` command.

``store`` keeps the holder key and credentials on disk, ``issuance`` receives credentials over
OpenID4VCI, ``presentation`` answers OpenID4VP requests, ``cli`` is the command line.
"""
