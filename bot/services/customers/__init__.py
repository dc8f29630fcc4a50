"""Customers: who is asking, which orders they may see, and the demo picker's directory."""
