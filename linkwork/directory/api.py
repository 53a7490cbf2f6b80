"""The published ORUK API (read-only)."""

app_name = "oruk"

urlpatterns: list = []
