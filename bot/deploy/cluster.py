"""Several Rasa instances and action servers behind nginx: `make prod`, the deployment and fault
tests, and the scaling benchmark.

Rasa scales the way its documentation describes: stateless ``rasa run`` processes behind a
load balancer, conversations in the SQL tracker store (PostgreSQL), Rasa's Redis lock store so
one conversation is processed by one instance at a time (endpoints.prod.yml), python-socketio's
Redis manager so an emit from any instance reaches a socket on any other, and the action
servers as a pool of their own. Every process logs to its own file in ``log_dir``.

    with Cluster(ClusterConfig(database_url=..., redis_url=..., model=..., log_dir=...)) as c:
        requests.post(f"{c.url}/webhooks/rest/webhook", json=...)
        c.kill_instance(0)  # the other instance answers the next message
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType

from bot.deploy import environment
from bot.deploy.nginx import HEALTH_PATH, NginxSite, check_config, nginx_command, write_config
from bot.deploy.processes import ManagedProcess, StartupFailed, wait_until_healthy
from bot.settings import REPO_ROOT

VENV_BIN = Path(sys.executable).parent
PROD_ENDPOINTS = REPO_ROOT / "endpoints.prod.yml"
CREDENTIALS = REPO_ROOT / "credentials.yml"
# Loading the model takes a minute on an idle machine and several on a busy one.
STARTUP_TIMEOUT_S = 600.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _secret() -> str:
    return secrets.token_hex(24)


@dataclass
class ClusterConfig:
    database_url: str
    redis_url: str
    model: Path
    log_dir: Path
    instances: int = 2
    # nginx's public port; 0 picks a free one (tests).
    port: int = 8080
    listen_host: str = "127.0.0.1"
    action_servers: int = 1
    demo_mode: bool = True
    rasa_token: str = field(default_factory=_secret)
    customer_jwt_secret: str = field(default_factory=_secret)
    # Shared by nginx and Sanic (SANIC_FORWARDED_SECRET): proxy headers carrying it are believed.
    forwarded_secret: str = field(default_factory=_secret)
    # RedisLockStore key prefix: clusters sharing one Redis database stay apart.
    lock_prefix: str = environment.DEFAULT_LOCK_PREFIX
    # nginx config, pid and temp files; None: a temporary directory removed by stop().
    run_dir: Path | None = None
    # Added to every Rasa instance's environment (e.g. a setting a test needs).
    extra_env: Mapping[str, str] = field(default_factory=dict)
    startup_timeout: float = STARTUP_TIMEOUT_S


class Cluster:
    """The processes of one production deployment on this machine; a context manager."""

    def __init__(self, config: ClusterConfig) -> None:
        if config.instances < 1 or config.action_servers < 1:
            raise ValueError("a cluster needs at least one Rasa instance and one action server")
        self.config = config
        self._own_run_dir = config.run_dir is None
        self.run_dir = config.run_dir or Path(tempfile.mkdtemp(prefix="kefu-cluster-"))
        self.port = config.port or free_port(config.listen_host)
        self._action_proxy_port = free_port()
        self._rasa_ports = [free_port() for _ in range(config.instances)]
        self._action_ports = [free_port() for _ in range(config.action_servers)]
        self.instances = [self._rasa_process(i, port) for i, port in enumerate(self._rasa_ports)]
        self.action_servers = [
            self._action_process(i, port) for i, port in enumerate(self._action_ports)
        ]
        self.nginx = self._nginx_process()

    # --- addresses ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """nginx's base URL, where customers, agents and REST clients go."""
        host = (
            "127.0.0.1" if self.config.listen_host in {"0.0.0.0", ""} else self.config.listen_host
        )
        return f"http://{host}:{self.port}"

    @property
    def instance_urls(self) -> list[str]:
        """Each Rasa instance's own base URL (bypassing nginx)."""
        return [f"http://127.0.0.1:{port}" for port in self._rasa_ports]

    @property
    def action_server_url(self) -> str:
        """The action endpoint the instances call: the pool behind nginx."""
        return f"http://127.0.0.1:{self._action_proxy_port}/webhook"

    # --- life cycle -----------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start everything; return when every action server, instance and nginx answers."""
        try:
            self._start_nginx()
            for process in [*self.action_servers, *self.instances]:
                process.start()
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """nginx first (no new requests), then the instances, then the action servers."""
        for process in [self.nginx, *self.instances, *self.action_servers]:
            process.stop()
        if self._own_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def wait_healthy(self, timeout: float | None = None) -> None:
        """Wait until every running process of the cluster answers its health check."""
        wanted = [self.nginx, *self.action_servers, *self.instances]
        wait_until_healthy(
            [process for process in wanted if process.running],
            self.config.startup_timeout if timeout is None else timeout,
        )

    # --- faults -----------------------------------------------------------------------------

    def kill_instance(self, index: int) -> None:
        """SIGKILL Rasa instance `index`, as a crash would; nginx routes around it."""
        self.instances[index].kill()

    def start_instance(self, index: int, timeout: float | None = None) -> None:
        """Start instance `index` again on its port; return when it answers."""
        instance = self.instances[index]
        instance.start()
        wait_until_healthy([instance], self.config.startup_timeout if timeout is None else timeout)

    def stop_action_servers(self) -> None:
        for server in self.action_servers:
            server.stop()

    def start_action_servers(self, timeout: float | None = None) -> None:
        for server in self.action_servers:
            server.start()
        limit = self.config.startup_timeout if timeout is None else timeout
        wait_until_healthy(self.action_servers, limit)

    def restart_action_servers(self, timeout: float | None = None) -> None:
        """Stop every action server, start them again, return when they answer."""
        self.stop_action_servers()
        self.start_action_servers(timeout)

    # --- the processes ----------------------------------------------------------------------

    def _rasa_process(self, index: int, port: int) -> ManagedProcess:
        config = self.config
        own = {
            **environment.rasa_env(
                database_url=config.database_url,
                redis_url=config.redis_url,
                action_server_url=self.action_server_url,
                rasa_token=config.rasa_token,
                customer_jwt_secret=config.customer_jwt_secret,
                forwarded_secret=config.forwarded_secret,
                demo_mode=config.demo_mode,
                lock_prefix=config.lock_prefix,
            ),
            **config.extra_env,
        }
        env = environment.with_settings_exports({**os.environ, **own})
        command = [
            str(VENV_BIN / "rasa"), "run", "--enable-api",
            "--auth-token", config.rasa_token,
            # Reachable only through nginx (and by this machine's tests and tools).
            "--interface", "127.0.0.1", "--port", str(port),
            "--model", str(config.model),
            "--endpoints", str(PROD_ENDPOINTS),
            "--credentials", str(CREDENTIALS),
        ]  # fmt: skip
        return ManagedProcess(
            name=f"rasa-{index}",
            command=command,
            env=env,
            cwd=REPO_ROOT,
            log=config.log_dir / f"rasa-{index}.log",
            # Rasa listens only once the model is loaded, so any answer means ready.
            health_url=f"http://127.0.0.1:{port}/",
        )

    def _action_process(self, index: int, port: int) -> ManagedProcess:
        command = [
            str(VENV_BIN / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions",
        ]  # fmt: skip
        return ManagedProcess(
            name=f"actions-{index}",
            command=command,
            env=environment.with_settings_exports(
                {**os.environ, **environment.action_env(self.config.database_url)}
            ),
            cwd=REPO_ROOT,
            log=self.config.log_dir / f"actions-{index}.log",
            health_url=f"http://127.0.0.1:{port}/health",
        )

    def _site(self) -> NginxSite:
        return NginxSite(
            listen_host=self.config.listen_host,
            listen_port=self.port,
            rasa_ports=self._rasa_ports,
            action_proxy_port=self._action_proxy_port,
            action_ports=self._action_ports,
            forwarded_secret=self.config.forwarded_secret,
            run_dir=self.run_dir,
            log_dir=self.config.log_dir,
        )

    def _nginx_process(self) -> ManagedProcess:
        conf = self.run_dir / "nginx.conf"
        return ManagedProcess(
            name="nginx",
            command=nginx_command(conf, "-g", "daemon off;"),
            env=dict(os.environ),
            cwd=self.run_dir,
            log=self.config.log_dir / "nginx.log",
            health_url=f"http://127.0.0.1:{self.port}{HEALTH_PATH}",
        )

    def _start_nginx(self) -> None:
        conf = write_config(self._site())
        checked = check_config(conf)
        if checked.returncode != 0:
            raise StartupFailed(f"nginx rejected {conf}:\n{checked.stderr}")
        self.nginx.start()


# --- `make prod` ------------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.deploy.cluster",
        description="N Rasa instances and action servers behind nginx (`make prod`).",
    )
    parser.add_argument("--model", type=Path, help="model file or directory (default: models/)")
    parser.add_argument("--log-dir", type=Path, default=REPO_ROOT / "results" / "prod-logs")
    return parser.parse_args(argv)


def config_from_environment(
    environ: Mapping[str, str], model: Path, log_dir: Path
) -> ClusterConfig:
    """`make prod`'s configuration: RASA_INSTANCES, ACTION_SERVERS, PROD_PORT, DATABASE_URL,
    REDIS_URL, DEMO_MODE, RASA_TOKEN, CUSTOMER_JWT_SECRET and FORWARDED_SECRET."""
    from bot.settings import read_settings

    settings = read_settings(environ)
    redis_url = environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    forwarded = environ.get("FORWARDED_SECRET") or _secret()
    return ClusterConfig(
        database_url=environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/kefu",
        redis_url=redis_url,
        model=model,
        log_dir=log_dir,
        instances=int(environ.get("RASA_INSTANCES") or 2),
        action_servers=int(environ.get("ACTION_SERVERS") or 1),
        port=int(environ.get("PROD_PORT") or 8080),
        listen_host=environ.get("PROD_HOST") or "0.0.0.0",
        demo_mode=settings.demo_mode,
        rasa_token=settings.rasa_token,
        # Outside demo mode an unset secret stays unset: the instances refuse to start and say so.
        customer_jwt_secret=settings.customer_jwt_secret,
        forwarded_secret=forwarded,
    )


def main(argv: Sequence[str] | None = None) -> int:
    from bot.deploy.database import prepare_database
    from bot.retrain.evaluation import latest_model

    args = _parse(argv)
    model = args.model or latest_model(REPO_ROOT / "models")
    config = config_from_environment(os.environ, model, args.log_dir)
    print(f"==> database {config.database_url}: create if missing, migrate, seed", flush=True)
    prepare_database(config.database_url)
    cluster = Cluster(config)

    def stop_on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell starting this in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_on_signal)
    print(
        f"==> {config.instances} Rasa instance(s), {config.action_servers} action server(s) "
        f"and nginx on :{cluster.port} (model {model.name}; logs in {config.log_dir})",
        flush=True,
    )
    try:
        cluster.start()
        print(
            f"\n  Customer chat page:  {cluster.url}/webhooks/chat/\n"
            f"  Agent console:       {cluster.url}/webhooks/agent/\n"
            f"  REST channel:        POST {cluster.url}/webhooks/rest/webhook\n"
            f"  Rasa instances:      {' '.join(cluster.instance_urls)}\n"
            "  Press Ctrl-C to stop.\n",
            flush=True,
        )
        signal.pause()
    except KeyboardInterrupt:
        print("\n==> stopping", flush=True)
    except StartupFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
