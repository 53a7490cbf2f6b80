"""What accounts tell the apps above them (the audit log listens)."""

from django.dispatch import Signal

#: Sent with `user` and `request` when a user ends every session they have.
signed_out_everywhere = Signal()

#: Sent with `user` and `by` when a password is changed through Linkwork's own page.
password_changed = Signal()

#: Sent with `user`, `request` and `recovery` (whether a recovery code was used) when a user
#: gives a right code after their password.
second_factor_passed = Signal()

#: Sent with `user` and `request` when a code given after the password is wrong (or refused
#: because too many were wrong).
second_factor_failed = Signal()

#: Sent with `user`, `by` and `request` when two-factor sign-in is set up, when a new set of
#: recovery codes is made, and when it is removed (`by` an administrator, or the user).
second_factor_added = Signal()
recovery_codes_made = Signal()
second_factor_removed = Signal()

#: Passkeys (decision 0025). Sent with `user`, `by` and `request` when one is added and when
#: one is removed (`by` the user; removing two-factor sign-in removes them with the rest); with
#: `user` and `request` when one is used after the password, and when using one fails.
passkey_added = Signal()
passkey_removed = Signal()
passkey_used = Signal()
passkey_failed = Signal()

#: Sent with `user` and `request` when a reset link is emailed to an account, and when a
#: password is reset through one.
password_reset_sent = Signal()
password_reset = Signal()
