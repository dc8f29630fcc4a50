"""Model maintenance: export, labelling inbox, retraining with a promotion gate, registry.

See docs/maintaining.md.
"""
