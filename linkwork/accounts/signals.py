"""What accounts tell the apps above them (the audit log listens)."""

from django.dispatch import Signal

#: Sent with `user` and `request` when a user ends every session they have.
signed_out_everywhere = Signal()

#: Sent with `user` and `by` when a password is changed through Linkwork's own page.
password_changed = Signal()
