"""Complaints and suggestions kept as service records with a reference number (seed 001 §5)."""
