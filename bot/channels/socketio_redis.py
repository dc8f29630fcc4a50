"""python-socketio's Redis manager for the socket.io channel, when Redis is configured.

With several Rasa instances a customer's socket lives in one process while the agent's message
or the bot's reply may be produced in another. The Redis manager publishes every emit to a
Redis channel that each instance listens on, so ``emit(..., room=sender_id)`` reaches the room
wherever its socket is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from socketio import AsyncRedisManager, AsyncServer


def pubsub_channel(redis_url: str) -> str:
    # Redis pub/sub ignores the database number; naming the channel after it keeps deployments
    # that share one Redis server on different databases (a test cluster, `make prod`) apart.
    database = urlsplit(redis_url).path.strip("/") or "0"
    return f"kefu-socketio-{database}"


def share_rooms_through_redis(sio: AsyncServer, redis_url: str) -> None:
    """Replace the in-process manager of a server that has no connection yet.

    Rasa's SocketIOInput builds its AsyncServer itself, so the manager is swapped right after;
    the server initialises it (and starts listening) on its first connection.
    """
    manager = AsyncRedisManager(redis_url, channel=pubsub_channel(redis_url))
    manager.set_server(sio)
    sio.manager = manager
    sio.manager_initialized = False
