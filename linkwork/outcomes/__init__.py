"""Outcome measures: validated instruments, scored exactly.

See docs/developer/outcome-instruments.md. This package is pure Python for now: no models, no
migrations, not an installed app.
"""
