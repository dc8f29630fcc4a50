"""The demo catalogue, one module per category (data only; see :mod:`bot.catalogue.index`)."""
