"""The deterministic demo store: ``bot seed`` builds it, ``bot demo`` tells its story.

An entry point above everything it seeds (catalogue, schema, handoff agents); nothing below it
imports it.
"""
