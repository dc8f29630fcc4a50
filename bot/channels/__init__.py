"""Custom Rasa input channels (listed by dotted path in credentials.yml)."""
