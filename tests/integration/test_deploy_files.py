"""The deployment files a shop uses: nginx configs that nginx accepts, production endpoints
that Rasa reads as a Redis lock store and SQL tracker store, a compose file and Dockerfiles on
the official images, and a lock file that agrees with pyproject.toml.

Docker is not available here, so the compose file is checked as data and its nginx template
with ``nginx -t``; the generated `make prod` config is checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomli
import yaml
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.utils import AvailableEndpoints

from bot.deploy.environment import lock_store_env
from bot.deploy.nginx import LOCATIONS, NginxMissing, NginxSite, check_config, nginx_binary
from bot.deploy.nginx import write_config as write_nginx_config
from bot.settings import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"
COMPOSE_TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"
LOCK = REPO_ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)")


@pytest.fixture
def nginx() -> Path:
    try:
        return nginx_binary()
    except NginxMissing as missing:
        pytest.skip(f"{missing} (make nginx)")


def site(tmp_path: Path, secret: str = "s3cretS3cret") -> NginxSite:
    return NginxSite(
        listen_host="127.0.0.1",
        listen_port=18080,
        rasa_ports=[15005, 15006],
        action_proxy_port=15056,
        action_ports=[15055],
        forwarded_secret=secret,
        run_dir=tmp_path / "run",
        log_dir=tmp_path / "logs",
    )


def test_the_generated_prod_config_is_valid_nginx(nginx: Path, tmp_path: Path) -> None:
    conf = write_nginx_config(site(tmp_path))
    checked = check_config(conf)
    assert checked.returncode == 0, checked.stderr
    text = conf.read_text()
    assert "server 127.0.0.1:15005" in text and "server 127.0.0.1:15006" in text
    assert "ip_hash;" in text and 'set $forwarded_secret "s3cretS3cret";' in text


def test_a_secret_that_could_break_out_of_the_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_nginx_config(site(tmp_path, secret='x"; return 200 "owned'))


def test_the_compose_nginx_template_is_valid_nginx(nginx: Path, tmp_path: Path) -> None:
    # What the official image's envsubst makes of it, with Docker's service names pointed at
    # loopback ports (outside Docker nothing resolves `rasa` or `actions`).
    rendered = (
        COMPOSE_TEMPLATE.read_text()
        .replace("${FORWARDED_SECRET}", "composeSecret1")
        .replace("rasa:5005", "127.0.0.1:15005")
        .replace("actions:5055", "127.0.0.1:15055")
        .replace("listen 8080", "listen 127.0.0.1:18081")
        .replace("listen 5056", "listen 127.0.0.1:15057")
        .replace("/etc/nginx/kefu-locations.conf", str(LOCATIONS))
    )
    assert "${" not in rendered
    run = tmp_path / "run"
    run.mkdir()
    conf = run / "nginx.conf"
    conf.write_text(
        f"pid {run / 'nginx.pid'};\nerror_log {run / 'error.log'};\n"
        "events {}\n"
        f"http {{\n{rendered}\n}}\n"
    )
    checked = check_config(conf)
    assert checked.returncode == 0, checked.stderr


def test_the_production_endpoints_give_rasa_a_redis_lock_store_and_sql_tracker_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in lock_store_env("redis://:pw@redis.internal:6380/4").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DATABASE_URL", "postgresql://kefu@db/kefu")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5056/webhook")
    endpoints = AvailableEndpoints.read_endpoints(str(REPO_ROOT / "endpoints.prod.yml"))
    assert endpoints.tracker_store is not None and endpoints.tracker_store.type == "SQL"
    assert endpoints.tracker_store.url == "postgresql://kefu@db/kefu"
    assert endpoints.action is not None
    assert endpoints.action.url == "http://127.0.0.1:5056/webhook"
    # Built as Rasa builds it; redis-py connects lazily, so nothing is contacted here.
    locks = LockStore.create(endpoints.lock_store)
    assert isinstance(locks, RedisLockStore)
    connection = locks.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("redis.internal", 6380, 4)
    assert connection["password"] == "pw"
    assert locks.key_prefix.startswith("kefu:")


def test_compose_runs_every_part_with_health_checks() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"postgres", "redis", "nginx", "rasa", "actions"} <= set(services)
    for name in ("postgres", "redis", "nginx", "rasa", "actions"):
        assert "healthcheck" in services[name], name
    assert services["rasa"]["deploy"]["replicas"] == "${RASA_INSTANCES:-2}"
    assert "replicas" in services["actions"]["deploy"]
    rasa_env = services["rasa"]["environment"]
    # Exactly the variables endpoints.prod.yml names, so Rasa can expand every one of them.
    named = set(re.findall(r"\$\{(\w+)\}", (REPO_ROOT / "endpoints.prod.yml").read_text()))
    assert named <= set(rasa_env)
    assert services["nginx"]["ports"] == ["${PROD_PORT:-8080}:8080"]


def test_dockerfiles_build_on_the_official_images() -> None:
    rasa = (REPO_ROOT / "Dockerfile.rasa").read_text()
    actions = (REPO_ROOT / "Dockerfile.actions").read_text()
    assert re.search(r"^FROM rasa/rasa:3\.6\.21-full$", rasa, re.MULTILINE)
    assert re.search(r"^FROM rasa/rasa-sdk:3\.6\.2$", actions, re.MULTILINE)
    for dockerfile in (rasa, actions):
        assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
        assert "USER 1001" in dockerfile


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def test_the_lock_pins_every_pyproject_pin_at_the_same_version() -> None:
    project = tomli.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = _pins([*project["dependencies"], *project["optional-dependencies"]["dev"]])
    locked = _pins(LOCK.read_text().splitlines())
    assert wanted, "pyproject.toml pins nothing?"
    assert {name: locked.get(name) for name in wanted} == wanted
    # Rasa 3.6 breaks with a newer packaging; the lock holds it where the tests pass.
    assert locked["packaging"] == "20.9"
    # Every line of the lock is a pin or a comment: nothing left to resolve at install time.
    for line in LOCK.read_text().splitlines():
        assert not line.strip() or line.lstrip().startswith("#") or PIN.match(line), line
