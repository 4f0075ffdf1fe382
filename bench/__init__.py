"""Benchmarks of Contact Intake: ``make bench`` runs ``python -m bench`` (see bench/__main__.py and
docs/performance.md)."""
