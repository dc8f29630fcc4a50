"""Orders: tracking and urging, cancelling and readdressing, which order is meant, the replies."""
