"""Sections other parts of the service add to a directory service's page (see
`linkwork.core.panels`): for example how many social prescriptions were made to it."""

from linkwork.core.panels import Panels

service_panels = Panels()
