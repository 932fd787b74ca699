"""Calibration: learning the persistent levels of pools from observed creators (MODEL.md §9)."""
