"""Log in by scanning a QR (cross-device): the browser shows a QR and a short number, the citizen's wallet
scans it, shows which portal asks, and signs an approval with its registered device key.

- ``models``: wallet devices, their one-time registration codes, and the QR log-in requests.
- ``devices``: registering a device key (after a level 3 login) and revoking it.
- ``service``: the QR log-in request from start to the browser carrying on.
- ``routes``: the browser's pages and the wallet's endpoints; ``method``: the login page's choice.
"""
