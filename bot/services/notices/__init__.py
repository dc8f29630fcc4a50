"""Messages the shop sends a customer without being asked, and how they reach the customer.

``store`` keeps them (pending until delivered, so nothing is lost while the customer is away),
``delivery`` pushes them through whichever senders the server registered (socket.io here; the
WeChat channel plugs its own in), ``proactive`` turns what the shop learns (a stuck parcel, a
late shipment) into a notice and a follow-up.
"""
