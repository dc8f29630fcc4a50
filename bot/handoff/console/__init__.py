"""The agent console: the web app agents use to work handed-off chats.

``channel`` mounts it in the Rasa server (credentials.yml); ``auth`` signs agents in;
``cases_read`` and ``cases_write`` are its JSON API, with ``access`` deciding who may act on
which case; ``conversation`` reads and writes the Rasa conversation; ``views`` shapes what the
page shows.
"""
