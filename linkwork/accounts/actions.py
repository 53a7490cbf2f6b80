"""Changes to staff accounts that managers make in the service."""

from django.db import transaction
from django.utils.translation import gettext as _

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused

from .models import Role, User

MAX_CASELOAD_CAP = 100


@transaction.atomic
def set_caseload_cap(coordinator: User, *, cap: int, by: User) -> User:
    """Change how many people a link coordinator may hold. People already allocated stay."""
    if coordinator.role != Role.COORDINATOR:
        raise ActionRefused(_("Only link coordinators have a caseload cap."))
    if not 1 <= cap <= MAX_CASELOAD_CAP:
        raise ActionRefused(
            _("Enter a cap between 1 and %(max)s") % {"max": MAX_CASELOAD_CAP}, field="cap"
        )
    coordinator = User.objects.select_for_update().get(pk=coordinator.pk)
    previous = coordinator.caseload_cap
    coordinator.caseload_cap = cap
    coordinator.save(update_fields=["caseload_cap"])
    audit.record(
        by=by,
        action=AuditAction.CHANGE,
        obj=coordinator,
        fields=["caseload_cap"],
        detail=f"caseload cap {previous} -> {cap}",
    )
    return coordinator
