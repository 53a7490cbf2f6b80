"""Outcome measure pages: `measures` (a person's measures, entered with them or sent as a link),
`public` (the person's own questionnaire through a one-time link, no account) and `settings`
(instruments in use and each site's schedule)."""
