"""Scoring against gold annotations, and reading TimeML."""
