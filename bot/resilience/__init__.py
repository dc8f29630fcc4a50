"""Keeping customers answered when a part of the assistant (action server, database) fails."""
