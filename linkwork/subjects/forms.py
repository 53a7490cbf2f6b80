from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKDateField, GovUKForm, text_area


class SubjectAccessForm(GovUKForm):
    received_on = GovUKDateField(
        label=_("Date the request was received"),
        help_text=_("The month to respond starts from this day. For example, 27 3 2026."),
        error_messages={"required": _("Enter the date the request was received")},
    )
    note = text_area(
        _("Who asked, and how their identity was checked"),
        required=True,
        rows=4,
        hint=_(
            "For example: the person, by letter; identity checked against photo ID at the "
            "Newtown office. Or: their solicitor, with the person's signed authority."
        ),
        required_message=_("Say who asked and how their identity was checked"),
        max_length=2000,
    )
