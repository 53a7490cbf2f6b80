from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialsConfig(AppConfig):
    """A randomised trial run inside the service: set-up, enrolment, concealed randomisation,
    trial measures, GP attendance data, closure, the CONSORT diagram, the primary analysis and
    the pseudonymised export. It sits on referrals, casework and outcomes; they do not import it.
    """

    name = "linkwork.trials"
    verbose_name = _("Research trials")
