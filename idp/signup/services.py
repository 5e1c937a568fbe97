"""The signup services, built once per application from the provider and a population registry."""

from __future__ import annotations

from idp.population.factory import registry_from_settings
from idp.population.interface import PopulationRegistry
from idp.provider import OpenIDProvider
from idp.signup.confirmations import Confirmations
from idp.signup.outbox import Mailer, Notifier, sms_gateway_for
from idp.signup.recovery import PasswordRecovery
from idp.signup.registration import Registration
from idp.signup.verification import ChannelVerification


class SignupServices:
    def __init__(self, op: OpenIDProvider, registry: PopulationRegistry | None = None) -> None:
        st = op.platform.settings
        registry = registry or registry_from_settings(
            st, db=op.db, sealer=op.platform.sealer, index=op.platform.blind_index
        )
        confirmations = Confirmations(op.platform.blind_index, st.confirmation_ttl, st.otp_ttl)
        notifier = Notifier(Mailer(st), sms_gateway_for(st), st.issuer)
        self.registration = Registration(
            op.db, op.identities, op.platform.blind_index, registry, confirmations, notifier
        )
        self.verification = ChannelVerification(op.db, confirmations)
        self.recovery = PasswordRecovery(op.db, op.identities, confirmations, notifier, op.single_logout)
