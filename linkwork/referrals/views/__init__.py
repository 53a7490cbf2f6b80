"""Referral pages, by audience: `staff` (referrers, coordinators, managers, signed in) and
`public` (the self-referral form, no account)."""
