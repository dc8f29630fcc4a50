"""Read/write services over the store, used by the action server, the web page and the CLI.

Each function takes the caller's ``Session`` (one per unit of work, see
:func:`bot.db.session.session_scope`) and never commits on its own.
"""
