"""Helpers for the casework tests (the person in support, `in_support`, is in tests/conftest.py)."""


def date_parts(name: str, day) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}
