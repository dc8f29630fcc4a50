"""Custom Rasa NLU components for Chinese customer messages."""
