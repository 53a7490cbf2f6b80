"""Social prescription pages, by audience: `staff` (signed in) and `public` (a receiving
organisation answering through a one-time link, no account)."""
