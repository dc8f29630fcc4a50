"""How one REDIS_URL becomes what Rasa's lock store and python-socketio's Redis manager need."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.socketio_redis import pubsub_channel
from bot.deploy.cluster import config_from_environment
from bot.deploy.environment import lock_store_env


def test_redis_url_is_split_for_rasas_lock_store() -> None:
    assert lock_store_env("redis://:s%40cret@cache.internal:6380/3", "shop1") == {
        "REDIS_HOST": "cache.internal",
        "REDIS_PORT": "6380",
        "REDIS_DB": "3",
        "REDIS_PASSWORD": "s@cret",
        "REDIS_LOCK_PREFIX": "shop1",
    }


def test_defaults_are_port_6379_database_0_and_no_password() -> None:
    env = lock_store_env("redis://127.0.0.1")
    assert (env["REDIS_PORT"], env["REDIS_DB"], env["REDIS_PASSWORD"]) == ("6379", "0", "")


@pytest.mark.parametrize(
    "url", ["127.0.0.1:6379", "http://127.0.0.1:6379/0", "redis://127.0.0.1:6379/zero"]
)
def test_a_url_rasa_could_not_use_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        lock_store_env(url)


def test_a_lock_prefix_rasa_would_silently_drop_is_refused() -> None:
    # RedisLockStore ignores a non-alphanumeric prefix, so two deployments would share locks.
    with pytest.raises(ValueError):
        lock_store_env("redis://127.0.0.1/0", "shop-1")


def test_deployments_on_different_redis_databases_do_not_share_socket_events() -> None:
    # Redis pub/sub ignores the database number; the channel name must not.
    assert pubsub_channel("redis://127.0.0.1:6379/0") != pubsub_channel("redis://127.0.0.1:6379/5")
    assert pubsub_channel("redis://127.0.0.1:6379") == pubsub_channel("redis://127.0.0.1:6379/0")


def test_make_prod_reads_its_settings_from_the_environment(tmp_path: Path) -> None:
    secret = "Prod-secret-0123456789-abcdefghijklmnop"
    environ = {
        "RASA_INSTANCES": "3",
        "ACTION_SERVERS": "2",
        "PROD_PORT": "9090",
        "DATABASE_URL": "postgresql://kefu@db.internal/kefu",
        "REDIS_URL": "redis://cache.internal:6379/2",
        "RASA_TOKEN": secret,
        "CUSTOMER_JWT_SECRET": secret[::-1],
        "DEMO_MODE": "false",
        "FORWARDED_SECRET": "nginxSecret1",
    }
    config = config_from_environment(environ, tmp_path / "model.tar.gz", tmp_path / "logs")
    assert (config.instances, config.action_servers, config.port) == (3, 2, 9090)
    assert config.database_url == "postgresql://kefu@db.internal/kefu"
    assert config.redis_url == "redis://cache.internal:6379/2"
    assert (config.rasa_token, config.customer_jwt_secret) == (secret, secret[::-1])
    assert config.forwarded_secret == "nginxSecret1" and not config.demo_mode
    assert config.listen_host == "0.0.0.0"  # served to the network, not only this machine
