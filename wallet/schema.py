"""Every table of the wallet package, imported together so that ``Base.metadata`` knows them all
(the migration test compares the migrated schema with the models)."""

from wallet.identity_qr import models as identity_qr_models  # noqa: F401
from wallet.qr_login import models as qr_login_models  # noqa: F401
from wallet.status_list import models as status_list_models  # noqa: F401
