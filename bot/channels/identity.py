"""Which conversation a customer channel message belongs to, and who it speaks for.

The metadata a channel hands to Rasa is built here from verified facts only: ``customer_id``
when a valid customer token came with the message, else the key the channel computed for the
client's address (never the address itself). Whatever the client put in
its own metadata (a ``customer_id``, a phone number, a token) is checked for size and dropped, so
it can neither sign anyone in nor end up in the tracker store.

A conversation never changes identity. REST: a signed-in customer's conversation id carries the
customer (``<sender>~c<id>``; client senders cannot contain ``~``), so an anonymous request or
another customer's token naming the same sender lands in a different conversation. socket.io:
the server issues the session id, bound by an HMAC to the identity of the connection, and a
client offering a session id that is not bound to its identity is given a fresh one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

# The metadata key the actions read (actions.common.CUSTOMER_ID, actions.session).
CUSTOMER_ID = "customer_id"
# The metadata key of the client key (actions.order_form reads it for the verification lock-out).
CLIENT = "client"
SESSION_ID = re.compile(r"[0-9a-f]{64}")


def trusted_metadata(customer_id: int | None, client_key: str | None = None) -> dict[str, Any]:
    """A signed-in customer's id; for an anonymous visitor the client's pseudonymous key
    (bot.security.client_address), which the phone-tail check counts failures against."""
    if customer_id is not None:
        return {CUSTOMER_ID: customer_id}
    return {CLIENT: client_key} if client_key is not None else {}


def rest_conversation_id(sender: str, customer_id: int | None) -> str:
    return sender if customer_id is None else f"{sender}~c{customer_id}"


def _session_mac(secret: str, nonce: str, customer_id: int | None) -> str:
    who = "anonymous" if customer_id is None else f"customer:{customer_id}"
    message = f"socketio-session:{nonce}:{who}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def new_session_id(secret: str, customer_id: int | None) -> str:
    nonce = secrets.token_hex(16)
    return nonce + _session_mac(secret, nonce, customer_id)


def is_session_of(session_id: object, secret: str, customer_id: int | None) -> bool:
    """True when the server issued `session_id` to a connection with this identity."""
    if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
        return False
    nonce, mac = session_id[:32], session_id[32:]
    return hmac.compare_digest(mac, _session_mac(secret, nonce, customer_id))
