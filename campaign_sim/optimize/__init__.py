"""Choosing a plan: the best creator mix under risk limits (MODEL.md §11, docs/optimize.md)."""
