"""Maintenance scripts (run from the repository root; standard library only)."""
