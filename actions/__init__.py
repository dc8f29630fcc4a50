"""Custom actions served by `rasa run actions`; each module covers one business area."""
