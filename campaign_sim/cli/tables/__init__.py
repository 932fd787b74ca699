"""cli/tables."""
