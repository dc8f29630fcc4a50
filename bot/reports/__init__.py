"""Service reports (seed 001 §5): KPIs computed from the database, plots and report.md."""
