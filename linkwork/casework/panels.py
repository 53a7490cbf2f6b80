"""Sections other parts of the service add to the person's record (see `linkwork.core.panels`):
outcome measures, safeguarding..."""

from linkwork.core.panels import Panels

record_panels = Panels()
