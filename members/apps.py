from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from .two_factor import record_activation

        authenticator_added.connect(record_activation, dispatch_uid="members.two_factor.record_activation")
