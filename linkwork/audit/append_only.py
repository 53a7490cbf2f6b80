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


class AppendOnlyModel(models.Model):
    """A record written once: `save()` inserts and never updates, `delete()` and the manager's
    bulk `update()`/`delete()` refuse. Below the ORM the database's triggers refuse the same
    (`linkwork.audit.guard.AppendOnly`, decision 0020): give each subclass's table them in its
    app's migration."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError(f"{self._meta.verbose_name} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self._meta.verbose_name} is append-only.")
