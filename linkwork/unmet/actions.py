"""Recording an unmet need: the one way to write one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linkwork.audit import service as audit
from linkwork.audit.models import AuditAction
from linkwork.core.errors import ActionRefused
from linkwork.directory.models import (
    TaxonomyTerm,
)

from .areas import MAX_AREA_LENGTH, MAX_NOTE_LENGTH, tidy_area
from .models import UnmetNeed

# --- Recording a need ---------------------------------------------------------------------------


@transaction.atomic
def record_unmet_need(
    *,
    by,
    site,
    category: TaxonomyTerm | None,
    area: str,
    note: str = "",
    referral=None,
) -> UnmetNeed:
    """Record that nothing in the directory met a need, at a site (for a person, if given).

    Permission checks are the view's job (`RECORD_UNMET_NEED` with the site, and
    `WORK_WITH_PERSON` with the referral); the rules of the record itself are checked here.
    """
    area = tidy_area(area)
    note = (note or "").strip()
    if category is None:
        raise ActionRefused(_("Select the kind of need"), field="category")
    if not area:
        raise ActionRefused(_("Enter the area"), field="area")
    if len(area) > MAX_AREA_LENGTH:
        raise ActionRefused(
            _("Keep the area to %(limit)d characters or fewer") % {"limit": MAX_AREA_LENGTH},
            field="area",
        )
    if len(note) > MAX_NOTE_LENGTH:
        raise ActionRefused(
            _("Keep what was needed to %(limit)d characters or fewer") % {"limit": MAX_NOTE_LENGTH},
            field="note",
        )
    if site is None:
        raise ActionRefused(_("Select the site"), field="site")
    if referral is not None and referral.site_id != site.pk:
        raise ActionRefused(
            _("A need recorded for a person is recorded at their site, %(site)s.")
            % {"site": referral.site},
            field="site",
        )
    need = UnmetNeed.objects.create(
        site=site,
        category=category,
        area=area,
        note=note,
        referral=referral,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    fields = ["site", "category", "area"]
    if note:
        fields.append("note")
    if referral is not None:
        fields.append("referral")
    audit.record(
        by=by,
        action=AuditAction.CREATE,
        obj=need,
        person_id=referral.person_id if referral is not None else None,
        fields=fields,
    )
    return need
