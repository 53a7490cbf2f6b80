"""Sections other parts of the service add to a referral's page (see `linkwork.core.panels`)."""

from linkwork.core.panels import Panels

referral_panels = Panels()
