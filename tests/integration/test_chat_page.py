"""The customer chat page: its Rasa channel over HTTP, and the page itself in headless Chromium.

Everything runs against a real Sanic server on a free loopback port (sanic-testing, which Sanic
21.12's ``app.test_client`` needs, is not installed), built the way ``rasa run`` builds its own:
the channels come from a credentials.yml with the entries this project uses, and are registered
with Rasa's own ``register(..., route="/webhooks/")``. Only the agent is a stand-in: it records
what the socketio channel hands over and answers with canned text, so the browser tests see the
widget's whole round trip (customData included) without a trained model.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from rasa.core.channels.channel import InputChannel, UserMessage, register
from rasa.shared.utils.common import class_from_module_path
from sanic import Sanic

from bot.channels.chat_page import ChatPageInput
from tests.threaded_sanic import ThreadedSanicServer

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE = "/webhooks/chat/"

# The credentials.yml entries the chat page needs (see bot/channels/socket_io.py for why the
# socketio channel is ours). Loaded exactly as Rasa loads dotted channel names.
CREDENTIALS_YML = """
bot.channels.socket_io.SessionSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  metadata_key: customData
bot.channels.chat_page.ChatPageInput:
"""
GREETING = "您好！我是智能客服小优，请问有什么可以帮您？"


# --------------------------------------------------------------------------- live server


class FakeAgent:
    """Stands in for ``app.ctx.agent``: records each message and answers it."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        text = GREETING if message.text == "/greet" else f"已收到：{message.text}"
        await message.output_channel.send_text_message(message.sender_id, text)

    def received(self, text: str) -> list[UserMessage]:
        return [m for m in self.messages if m.text == text]


def load_channels(credentials_yml: str) -> list[InputChannel]:
    """What ``rasa run`` does with a credentials.yml whose channels are dotted class paths."""
    entries: dict[str, Any] = yaml.safe_load(credentials_yml)
    return [class_from_module_path(name).from_credentials(creds) for name, creds in entries.items()]


def build_app(agent: FakeAgent) -> Sanic:
    app = Sanic(f"chat_page_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    register(load_channels(CREDENTIALS_YML), app, route="/webhooks/")
    return app


DEMO_SECRET = "chat-page-test-secret-0123456789abcdef"


@pytest.fixture(scope="module", autouse=True)
def demo_mode() -> Iterator[None]:
    """The picker and demo tokens exist in demo mode only; the whole module runs in it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_MODE", "true")
        patch.setenv("CUSTOMER_JWT_SECRET", DEMO_SECRET)
        yield


@pytest.fixture(scope="module")
def agent() -> FakeAgent:
    return FakeAgent()


@pytest.fixture(scope="module")
def server(agent: FakeAgent) -> Iterator[ThreadedSanicServer]:
    live = ThreadedSanicServer(build_app(agent), name="chat-page-server")
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real SQLite database filled by the project's seed, shared by this module's tests."""
    from bot.demo.seed import seed

    url = f"sqlite:///{tmp_path_factory.mktemp('chat_page_db') / 'kefu.db'}"
    seed(url)
    return url


@pytest.fixture()
def database(seeded_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    # Settings are read afresh in each test (conftest), so the running server sees this.
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    return seeded_database


@pytest.fixture(scope="module")
def customers_json(server: ThreadedSanicServer, seeded_database: str) -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", seeded_database)
        response = requests.get(server.url(PAGE + "customers"), timeout=30)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def raw_get(server: ThreadedSanicServer, path: str) -> int:
    """Status of a GET sent with the path exactly as given (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


# --------------------------------------------------------------------------- HTTP


def test_page_is_served_with_the_widget_from_our_static_route(server: ThreadedSanicServer) -> None:
    response = requests.get(server.url(PAGE), timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "优选好物 官方旗舰店" in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["static/webchat-1.0.1.js", "static/chat.js"]
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheets == ["static/chat.css"]
    # No CDN: every referenced file is a relative URL that our static route serves.
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert "//" not in ref, ref
        assert requests.get(server.url(PAGE + ref), timeout=10).status_code == 200, ref
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy


def test_static_files_have_script_and_style_types(server: ThreadedSanicServer) -> None:
    bundle = requests.get(server.url(PAGE + "static/webchat-1.0.1.js"), timeout=10)
    assert bundle.status_code == 200
    assert bundle.headers["content-type"].startswith("application/javascript")
    assert "WebChat" in bundle.text[:1000]
    css = requests.get(server.url(PAGE + "static/chat.css"), timeout=10)
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["x-content-type-options"] == "nosniff"


def test_page_without_trailing_slash_redirects_keeping_the_query(
    server: ThreadedSanicServer,
) -> None:
    response = requests.get(
        server.url("/webhooks/chat?customer=7"), allow_redirects=False, timeout=10
    )
    assert response.status_code == 301
    assert response.headers["location"] == "chat/?customer=7"


@pytest.mark.parametrize(
    "path",
    [
        "static/../pyproject.toml",
        "static/..%2Fpyproject.toml",
        "static/..%2F..%2Fpyproject.toml",
        "static/%2e%2e%2fpyproject.toml",
        "static/..%5Cpyproject.toml",
        "static/pyproject.toml",
        "static/index.html",
        "static/chat_page.py",
        "static/.gitignore",
        "static/.hidden.js",
        "static/vendor%2Fwebchat-1.0.1.js",
        "static/missing.js",
        "static/",
    ],
)
def test_static_serves_only_whitelisted_files(server: ThreadedSanicServer, path: str) -> None:
    assert raw_get(server, PAGE + path) == 404


def test_static_refuses_links_out_of_the_web_folder(tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "vendor").mkdir(parents=True)
    (web / "ok.js").write_text("// ok\n", encoding="utf-8")
    secret = tmp_path / "secret.js"
    secret.write_text("// not for the web\n", encoding="utf-8")
    (web / "evil.js").symlink_to(secret)
    channel = ChatPageInput(web_dir=web)
    assert channel.find_static("ok.js") == (web / "ok.js").resolve()
    assert channel.find_static("evil.js") is None


def test_health(server: ThreadedSanicServer) -> None:
    response = requests.get(server.url(PAGE + "health"), timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "channel": "chat", "page": True, "widget": True}


def test_customers_come_from_the_seeded_database(
    server: ThreadedSanicServer, database: str, customers_json: list[dict[str, Any]]
) -> None:
    from bot.db.session import session_scope
    from bot.services.customers.directory import demo_customers

    response = requests.get(server.url(PAGE + "customers"), timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    found = response.json()
    assert found == customers_json
    assert 1 <= len(found) <= 6
    with session_scope(database) as session:
        expected = demo_customers(session, limit=6)
    assert [c["customer_id"] for c in found] == [c.customer_id for c in expected]
    for customer, demo in zip(found, expected, strict=True):
        assert set(customer) == {
            "customer_id",
            "name",
            "phone_masked",
            "level",
            "order_count",
            "orders_by_status",
        }
        assert customer["name"] == demo.name
        assert customer["phone_masked"][-4:] == demo.phone[-4:]
        assert demo.phone not in response.text  # the full number never leaves the server
        assert customer["order_count"] == demo.order_count
        assert customer["orders_by_status"] == {
            k: list(v) for k, v in demo.orders_by_status.items()
        }


@pytest.mark.parametrize(
    "unreachable",
    [
        "sqlite:////nonexistent-kefu-dir/nested/kefu.db",
        # Port 1 on loopback: nothing listens, the connection is refused at once.
        "postgresql+psycopg2://kefu:kefu@127.0.0.1:1/kefu",
    ],
)
def test_customers_answer_503_when_the_database_is_unreachable(
    server: ThreadedSanicServer, monkeypatch: pytest.MonkeyPatch, unreachable: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", unreachable)
    response = requests.get(server.url(PAGE + "customers"), timeout=30)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "database_unavailable"
    assert "kefu" not in body["message"]  # no URL, no credentials, no traceback


def test_channel_reads_its_options_from_credentials(tmp_path: Path) -> None:
    channel = ChatPageInput.from_credentials(None)
    assert isinstance(channel, ChatPageInput)
    assert channel.name() == "chat"
    assert channel.web_dir == (REPO_ROOT / "web").resolve()
    custom = ChatPageInput.from_credentials({"web_dir": str(tmp_path), "customer_limit": 3})
    assert isinstance(custom, ChatPageInput)
    assert custom.web_dir == tmp_path.resolve()
    assert custom.customer_limit == 3


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, installed by the project's script when missing."""
    script = REPO_ROOT / "scripts" / "install_browser.sh"
    bash = shutil.which("bash") or "/bin/bash"
    result = subprocess.run(
        [bash, str(script)], capture_output=True, text=True, timeout=900, check=False
    )
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(f"scripts/install_browser.sh failed:\n{result.stdout}\n{result.stderr}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    # One browser for the module (launching takes ~1 s); every test gets its own context below,
    # so no cookie or sessionStorage crosses from one test to the next.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def page(browser: Any, server: ThreadedSanicServer) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        blocked: set[str] = set()
        # Playwright reports a request that the CSP stopped as failed with reason "csp".
        page.on(
            "requestfailed",
            lambda request: blocked.add(request.url) if request.failure == "csp" else None,
        )
        yield page
        assert errors == [], errors
        # The page loads nothing from anywhere but the server it came from. The widget's CSS
        # does ask for a Google web font; the page's CSP must have blocked that request.
        foreign = {
            url
            for url in requested
            if url.startswith(("http:", "https:")) and not url.startswith(server.origin)
        }
        assert foreign <= blocked, foreign - blocked
    finally:
        context.close()


CARDS = "#customer-list .customer-card"
BOT_BUBBLE = "#webchat .rw-message:not(.rw-typing-indication) .rw-response"
USER_BUBBLE = "#webchat .rw-client"


def wait_for_agent(agent: FakeAgent, page: Any, text: str, count: int = 1) -> list[UserMessage]:
    for _ in range(100):
        found = agent.received(text)
        if len(found) >= count:
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"the agent never received {text!r} x{count}")


def test_picker_lists_demo_customers_and_starts_their_conversation(
    page: Any,
    server: ThreadedSanicServer,
    agent: FakeAgent,
    database: str,
    customers_json: list[dict[str, Any]],
) -> None:
    page.goto(server.url(PAGE))
    first = customers_json[0]
    cards = page.locator(CARDS)
    # The anonymous visitor first, then every demo customer with name, masked phone and orders.
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n",
        arg=[CARDS, len(customers_json) + 1],
    )
    assert cards.first.get_attribute("data-customer-id") == "anonymous"
    assert cards.first.get_attribute("aria-pressed") == "true"
    assert "匿名访客" in cards.first.inner_text()
    for index, customer in enumerate(customers_json, start=1):
        text = cards.nth(index).inner_text()
        assert customer["name"] in text
        assert customer["phone_masked"] in text
        shown_orders = [o for orders in customer["orders_by_status"].values() for o in orders[:2]]
        assert any(order in text for order in shown_orders) or not shown_orders

    # The anonymous visitor's widget is up and greeted, with no customer in the metadata.
    page.locator(BOT_BUBBLE).first.wait_for()
    anonymous_greet = wait_for_agent(agent, page, "/greet")[-1]
    assert "customer_id" not in anonymous_greet.metadata  # only the client's key (identity.py)

    # Picking a customer reloads with ?customer=ID and a fresh session signed in by a demo
    # token: the metadata Rasa gets is the verified customer and nothing the page wrote.
    greets_before = len(agent.received("/greet"))
    with page.expect_navigation():
        cards.nth(1).click()
    assert page.url.endswith(f"?customer={first['customer_id']}")
    assert page.locator(CARDS).nth(1).get_attribute("aria-pressed") == "true"
    page.locator("#webchat .rw-conversation-container").wait_for()
    assert page.locator("#webchat .rw-title").inner_text() == "在线客服"
    assert (
        page.locator("#webchat .rw-new-message").get_attribute("placeholder") == "请输入您的问题…"
    )
    page.locator(BOT_BUBBLE).first.wait_for()
    assert page.locator(BOT_BUBBLE).first.inner_text().strip() == GREETING
    greet = wait_for_agent(agent, page, "/greet", greets_before + 1)[-1]
    assert greet.metadata == {"customer_id": first["customer_id"]}
    assert greet.sender_id != anonymous_greet.sender_id
    assert first["name"] in page.locator("#current-identity").inner_text()

    # The choice and the conversation survive a reload: same customer, no second greeting.
    page.reload()
    page.locator(BOT_BUBBLE).first.wait_for()
    assert page.url.endswith(f"?customer={first['customer_id']}")
    page.wait_for_function(
        "sel => document.querySelector(sel + '[aria-pressed=\"true\"]')", arg=CARDS
    )
    assert page.locator(f'{CARDS}[aria-pressed="true"]').get_attribute("data-customer-id") == str(
        first["customer_id"]
    )
    page.wait_for_timeout(500)
    assert len(agent.received("/greet")) == greets_before + 1

    # A quick-question chip goes through the widget, as the customer, in the same session.
    page.get_by_role("button", name="查物流").click()
    chip = wait_for_agent(agent, page, "查物流")[-1]
    assert chip.sender_id == greet.sender_id
    assert chip.metadata == greet.metadata
    page.locator(USER_BUBBLE, has_text="查物流").wait_for()
    page.locator(BOT_BUBBLE, has_text="已收到：查物流").wait_for()

    # 重新开始对话: same customer, new Rasa session, greeted again.
    with page.expect_navigation():
        page.get_by_role("button", name="重新开始对话").click()
    restarted = wait_for_agent(agent, page, "/greet", greets_before + 2)[-1]
    assert restarted.sender_id != greet.sender_id
    assert restarted.metadata == greet.metadata
    page.locator(BOT_BUBBLE).first.wait_for()
    assert page.locator(USER_BUBBLE).count() == 0


def test_widget_renders_even_when_rasa_is_down(
    page: Any, server: ThreadedSanicServer, database: str, customers_json: list[dict[str, Any]]
) -> None:
    # Refuse every socket.io request, as a stopped Rasa would.
    page.route("**/socket.io/**", lambda route: route.abort())
    customer_id = customers_json[-1]["customer_id"]
    page.goto(server.url(f"{PAGE}?customer={customer_id}"))
    page.locator("#webchat .rw-conversation-container").wait_for()
    assert page.evaluate("document.documentElement.dataset.widget") == "initialised"
    assert page.evaluate("typeof window.WebChat.send") == "function"
    assert page.locator(f'{CARDS}[aria-pressed="true"]').get_attribute("data-customer-id") == str(
        customer_id
    )


def test_customer_data_is_shown_as_text_never_as_html(
    page: Any, server: ThreadedSanicServer, database: str
) -> None:
    hostile = [
        {
            "customer_id": 1,
            "name": '<img src=x onerror="window.pwned=1">',
            "phone_masked": "<b>138</b>****0000",
            "level": "<script>window.pwned=2</script>",
            "order_count": 1,
            "orders_by_status": {"<i>待发货</i>": ["<u>1</u>"]},
        }
    ]
    page.route("**/customers", lambda route: route.fulfill(status=200, json=hostile, headers={}))
    page.route("**/socket.io/**", lambda route: route.abort())
    page.goto(server.url(PAGE))
    card = page.locator(f'{CARDS}[data-customer-id="1"]')
    card.wait_for()
    text = card.inner_text()
    assert '<img src=x onerror="window.pwned=1">' in text
    assert "<b>138</b>****0000" in text
    assert "<u>1</u>" in text
    assert card.locator("img, b, i, u, script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_unreachable_database_leaves_the_anonymous_visitor(
    page: Any, server: ThreadedSanicServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-kefu-dir/kefu.db")
    page.route("**/socket.io/**", lambda route: route.abort())
    page.goto(server.url(f"{PAGE}?customer=1"))
    page.locator("#customer-status.is-error").wait_for()
    assert page.locator(CARDS).count() == 1
    assert page.locator("#current-identity").inner_text() == "匿名访客"
    page.locator("#webchat .rw-conversation-container").wait_for()
    # The choice stays in the URL, so a reload after the outage brings the customer back.
    assert page.url.endswith("?customer=1")
