"""Extraction: pure functions from a text to records (quantities, claims, attribution, times, as_of); no pandas."""
