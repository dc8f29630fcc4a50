"""Promises kept (follow-ups with a due time and an owner) and 回访 (satisfaction ratings)."""
