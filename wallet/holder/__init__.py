"""The reference holder wallet (library and ``nixa-wallet`` command)."""
