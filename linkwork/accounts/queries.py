"""What a signed-in user's role and sites let them see, before any personal data is involved."""

from django.db.models import QuerySet

from linkwork.partners.models import Site

from .models import Role


def sites_for(user) -> QuerySet[Site]:
    """The sites a user works at: their own for staff, every site for administrators."""
    if user.role in (Role.COORDINATOR, Role.MANAGER):
        return user.sites.all()
    if user.role == Role.ADMINISTRATOR:
        return Site.objects.all()
    return Site.objects.none()
