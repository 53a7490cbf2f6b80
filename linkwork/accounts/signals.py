"""What accounts tell the apps above them (the audit log listens)."""

from django.dispatch import Signal

#: Sent with `user` and `request` when a user ends every session they have.
signed_out_everywhere = Signal()
