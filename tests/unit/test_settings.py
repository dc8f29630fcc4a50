"""Settings: defaults, `.env` at the repo root, the environment over both, one cached object."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT, Settings, get_settings, read_env_file, read_settings


def write_env(root: Path, text: str) -> None:
    (root / ".env").write_text(text, encoding="utf-8")


def test_defaults_give_the_embedded_demo_set_up(tmp_path: Path) -> None:
    settings = read_settings({}, tmp_path)
    token = (tmp_path / ".rasa_token").read_text()
    assert settings == Settings(
        database_url=f"sqlite:///{tmp_path / 'kefu.db'}",
        rasa_port=5005,
        action_port=5055,
        rasa_url="http://127.0.0.1:5005",
        action_server_url="http://127.0.0.1:5055/webhook",
        rasa_token=token,
        redis_url="redis://127.0.0.1:6379/0",
        demo_mode=False,
        customer_jwt_secret="",
        rasa_token_generated=True,
        export_hmac_key="",
    )


def test_urls_follow_the_ports(tmp_path: Path) -> None:
    settings = read_settings({"RASA_PORT": "6005", "ACTION_PORT": "6055"}, tmp_path)
    assert settings.rasa_url == "http://127.0.0.1:6005"
    assert settings.action_server_url == "http://127.0.0.1:6055/webhook"


def test_without_a_token_one_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = read_settings({}, tmp_path).rasa_token
    assert len(first) == 32 and int(first, 16) >= 0  # 16 random bytes, hex
    assert read_settings({}, tmp_path).rasa_token == first  # the next process gets the same
    mode = stat.S_IMODE((tmp_path / ".rasa_token").stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [".rasa_token"]  # no draft left behind


def test_a_kept_token_is_used_and_an_empty_file_replaced(tmp_path: Path) -> None:
    (tmp_path / ".rasa_token").write_text("kept-by-env-sh")  # env.sh wrote it without a newline
    assert read_settings({}, tmp_path).rasa_token == "kept-by-env-sh"
    (tmp_path / ".rasa_token").write_text("")
    made = read_settings({}, tmp_path).rasa_token
    assert len(made) == 32 and (tmp_path / ".rasa_token").read_text() == made


def test_env_file_is_read(tmp_path: Path) -> None:
    write_env(
        tmp_path,
        "# production\n"
        "\n"
        "DATABASE_URL=postgresql://kefu@db:5432/kefu  # the shop\n"
        "export RASA_TOKEN='s3cret $not #expanded'\n"
        'RASA_URL="http://rasa.internal:5005"\n'
        "ACTION_PORT=7055\n",
    )
    settings = read_settings({}, tmp_path)
    assert settings.database_url == "postgresql://kefu@db:5432/kefu"
    assert settings.rasa_token == "s3cret $not #expanded"
    assert settings.rasa_url == "http://rasa.internal:5005"
    assert settings.action_server_url == "http://127.0.0.1:7055/webhook"
    assert not (tmp_path / ".rasa_token").exists()  # a configured token is not replaced


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    write_env(tmp_path, "DATABASE_URL=sqlite:///from-file.db\nRASA_TOKEN=from-file\n")
    environ = {"DATABASE_URL": "sqlite:///from-env.db", "RASA_TOKEN": ""}
    settings = read_settings(environ, tmp_path)
    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.rasa_token == "from-file"  # an empty variable counts as unset


def test_env_file_values_read_as_the_shell_reads_them(tmp_path: Path) -> None:
    write_env(
        tmp_path,
        "A=abc#def\n"  # '#' inside a word is not a comment
        "B=\n"
        'C="say \\"hi\\" \\\\ \\n"\n'  # the shell drops a backslash only before $ ` " \\
        "D = spaced\n",
    )
    assert read_env_file(tmp_path / ".env") == {
        "A": "abc#def",
        "B": "",
        "C": 'say "hi" \\ \\n',
        "D": "spaced",
    }


@pytest.mark.parametrize("line", ["just words", "KEY=two words", "KEY='unclosed", "1KEY=x"])
def test_an_unreadable_env_line_is_reported_with_its_number(tmp_path: Path, line: str) -> None:
    write_env(tmp_path, f"# fine\n{line}\n")
    with pytest.raises(ValueError, match=r"\.env:2: "):
        read_settings({}, tmp_path)


def test_a_port_that_is_not_a_number_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RASA_PORT must be a port number"):
        read_settings({"RASA_PORT": "http://x"}, tmp_path)


def test_the_example_env_file_reads_and_holds_no_token() -> None:
    example = read_env_file(REPO_ROOT / ".env.example")
    assert example.get("RASA_TOKEN", "") == ""


def test_settings_are_one_cached_object_until_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///first.db")
    monkeypatch.setenv("RASA_TOKEN", "test-token")
    first = get_settings()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///second.db")
    assert get_settings() is first  # read once per process, not per call
    assert first.database_url == "sqlite:///first.db"
    get_settings.cache_clear()
    assert get_settings().database_url == "sqlite:///second.db"


def test_env_sh_exports_what_python_decided() -> None:
    # What `rasa run` and scripts/run.sh see after `source scripts/env.sh`, quoting included.
    tricky = "postgresql://kefu:p'a ss$word@127.0.0.1:5432/kefu"
    env = {**os.environ, "DATABASE_URL": tricky, "ACTION_PORT": "6055", "RASA_TOKEN": "tok"}
    env.pop("ACTION_SERVER_URL", None)
    shown = subprocess.run(
        ["bash", "-c", 'source scripts/env.sh && printf "%s\\n" "$DATABASE_URL" '
         '"$ACTION_SERVER_URL" "$ACTION_PORT" "$RASA_PORT" "$RASA_TOKEN"'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    expected = read_settings(env)
    assert shown == [
        tricky,
        "http://127.0.0.1:6055/webhook",
        "6055",
        str(expected.rasa_port),
        "tok",
    ]


def test_export_refuses_an_unknown_argument() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.settings", "--nope"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2 and "usage" in result.stderr


def test_demo_mode_keeps_a_customer_token_secret_of_its_own(tmp_path: Path) -> None:
    first = read_settings({"DEMO_MODE": "true"}, tmp_path)
    assert first.demo_mode and len(first.customer_jwt_secret) >= 32
    assert read_settings({"DEMO_MODE": "true"}, tmp_path).customer_jwt_secret == (
        first.customer_jwt_secret
    )
    # Outside demo mode nothing is made up: production must configure the secret.
    assert read_settings({"DEMO_MODE": "false"}, tmp_path).customer_jwt_secret == ""


def test_demo_mode_must_be_a_clear_flag(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DEMO_MODE"):
        read_settings({"DEMO_MODE": "maybe"}, tmp_path)
