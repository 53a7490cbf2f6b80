from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """Letters to the person (an appointment, "we have been unable to contact you", the end of
    support) and to their referrer, made from the record, kept as sent, printed as PDFs."""

    name = "linkwork.letters"
    verbose_name = _("Letters")

    def ready(self) -> None:
        from linkwork.audit.presenters import register_detail_words
        from linkwork.casework.panels import record_panels

        from . import timeline  # noqa: F401  (puts letters on the person's timeline)
        from .panels import letters_section
        from .presenters import audit_detail_words

        record_panels.register("letters.panel", letters_section)
        register_detail_words(audit_detail_words)
