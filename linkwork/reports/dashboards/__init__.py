"""The dashboards, by the key in their address (`/reports/<key>/`). Each is a function of a
`Context` (the reader's scope, the filters, the figure maker, the timeline's markers) that
returns a `Dashboard`; the view renders it as HTML, CSV or JSON."""

from django.utils.translation import gettext_lazy as _

from . import access, delivery, outcomes, reach, referrals

DASHBOARDS = {
    "referrals": (_("Referrals"), referrals.build),
    "access": (_("Access and waiting"), access.build),
    "delivery": (_("Delivery"), delivery.build),
    "outcomes": (_("Outcomes"), outcomes.build),
    "reach": (_("Reach"), reach.build),
}
