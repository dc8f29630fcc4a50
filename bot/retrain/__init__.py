"""Model maintenance: evaluation on the frozen split, and later export, inbox and promotion."""
