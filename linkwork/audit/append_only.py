"""Records that, once written, are never changed or removed: status history and the audit log."""

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, which bypass the model's own save() and delete() guards.

    The demo loader, which builds a fictional past, is the one deliberate exception: it goes
    through a plain `models.QuerySet(Model)` so the bypass is visible where it happens.
    """

    def update(self, **kwargs):
        raise RuntimeError(f"{self.model._meta.verbose_name} is append-only.")

    def delete(self):
        raise RuntimeError(f"{self.model._meta.verbose_name} is append-only.")

    update.queryset_only = True
    delete.queryset_only = True
