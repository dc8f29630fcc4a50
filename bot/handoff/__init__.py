"""Escalation signals and the hand-over of a chat to a human agent."""
