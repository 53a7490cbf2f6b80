"""What a signed-in user's role and sites let them see, before any personal data is involved."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from linkwork.partners.models import Site

from .models import Role
from .permissions import Permission, require


def sites_for(user) -> QuerySet[Site]:
    """The sites a user works at: their own for staff, every site for administrators."""
    if user.role in (Role.COORDINATOR, Role.MANAGER):
        return user.sites.all()
    if user.role == Role.ADMINISTRATOR:
        return Site.objects.all()
    return Site.objects.none()


def site_for(user, pk: int, permission: Permission) -> Site:
    """The site `pk`, for a page about it that needs `permission` there: 404 if there is no such
    site or the user lacks the permission on it (`require` with an object never says 403)."""
    site = get_object_or_404(Site, pk=pk)
    require(user, permission, site)
    return site
