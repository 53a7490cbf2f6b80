"""Community directory pages: `services` (search, a service's page, keeping entries up to date)
and `reports` (what the directory offered, month by month)."""
