"""Business rules of the shop as pure functions: no database, no clock, no I/O.

Every function takes the facts it needs (including "now") and returns a decision, so the rules
from the service documents (../shared/seeds/) can be read and tested on their own.
"""
