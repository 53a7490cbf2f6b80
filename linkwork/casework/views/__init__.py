"""The person's record and the casework pages, by audience: `staff` (coordinators and managers,
signed in) and `public` (the person giving feedback through a one-time link, no account)."""
