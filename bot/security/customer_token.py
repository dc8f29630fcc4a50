"""Customer tokens: the only way a chat is signed in as a customer.

The shop's own login signs a short-lived JWT (HS256, key ``CUSTOMER_JWT_SECRET``) with the
claims ``customer_id`` and ``exp``; the channels verify it and nothing else. A ``customer_id``
a client writes into message metadata is never believed: ids are sequential, so believing it
would open every customer's orders to anyone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"
# A JWT of two small claims is ~150 characters; anything far longer is not ours.
MAX_TOKEN_CHARS = 2048


def issue_customer_token(customer_id: int, secret: str, now: datetime, ttl: timedelta) -> str:
    """A token signing in `customer_id` until `now + ttl` (what the shop's login would issue)."""
    claims = {"customer_id": customer_id, "exp": int((now + ttl).timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verified_customer_id(token: object, secret: str) -> int | None:
    """The customer a valid, unexpired token signed with `secret` names; None for anything else
    (no secret, not a string, bad signature, another algorithm, expired, claims missing)."""
    if not secret or not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
        return None
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "customer_id"]}
        )
    except (jwt.PyJWTError, UnicodeError):  # a header may carry undecodable bytes
        return None
    customer_id = claims.get("customer_id")
    # bool is an int in Python; `true` is not a customer.
    if isinstance(customer_id, int) and not isinstance(customer_id, bool) and customer_id > 0:
        return customer_id
    return None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, if it is one."""
    scheme, _, token = (authorization or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None
