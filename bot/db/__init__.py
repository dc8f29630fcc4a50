"""Database layer: schema (models), sessions and migrations, nothing else.

Nothing here touches a database at import time; engines are created lazily by
:mod:`bot.db.session` the first time a URL is used.
"""
