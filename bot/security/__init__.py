"""Who may speak for a customer, and what the public endpoints accept (see README, Security)."""
