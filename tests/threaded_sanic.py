"""A Sanic app served from a background thread, on a free loopback port, for tests.

sanic-testing, which Sanic 21.12's ``app.test_client`` needs, is not installed, so tests that
want a real server (real sockets, real socket.io clients, a real browser) start one with this.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from sanic import Sanic
from sanic.server.async_server import AsyncioServer

T = TypeVar("T")
TIMEOUT = 30.0


class ThreadedSanicServer:
    """A Sanic app served from a background thread with its own event loop.

    ``start()`` returns once the server accepts connections (or raises what stopped it from
    starting), ``run()`` runs a coroutine on the server's loop, and ``stop()`` shuts it down.
    """

    def __init__(self, app: Sanic, name: str = "sanic-test-server") -> None:
        self.app = app
        # Bound before the thread starts, so there is no race for the port.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(100)
        self.port: int = self._sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def url(self, path: str) -> str:
        return self.origin + path

    def start(self) -> None:
        # At startup Sanic rewrites some of its own functions in place ("touch-up"). Outside test
        # mode it rewrites whatever is there, so the second app started in one process gets a
        # rewrite of the rewrite and fails (KeyError: 'http1_request_header'). In test mode it
        # keeps the originals and starts from them each time. It stays on: once the originals
        # are kept, a later start outside test mode would rewrite the rewrite again.
        Sanic.test_mode = True
        self._thread.start()
        if not self._started.wait(timeout=TIMEOUT):
            raise RuntimeError(f"the test server did not start within {TIMEOUT:.0f} s")
        if self._error is not None:
            raise RuntimeError("the test server failed to start") from self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            server = self._loop.run_until_complete(
                self.app.create_server(
                    sock=self._sock, return_asyncio_server=True, access_log=False
                )
            )
            if server is None:
                raise RuntimeError("create_server returned no server")
            for step in (server.startup, server.before_start, server.after_start):
                self._loop.run_until_complete(step())
        except BaseException as exc:  # handed to the test thread, which raises it
            self._error = exc
            self._sock.close()
            self._loop.close()
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._shutdown(server))
        self._loop.close()

    async def _shutdown(self, server: AsyncioServer) -> None:
        await server.before_stop()
        for connection in list(server.connections):
            connection.close_if_idle()
        closing = server.close()
        if closing is not None:
            await closing
        await server.after_stop()
        # Socket.IO keeps a ping task per client; end them rather than leave the loop to destroy
        # pending tasks (which logs "Task was destroyed but it is pending!").
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop (where, e.g., the app's stores are used)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=TIMEOUT)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=TIMEOUT)
