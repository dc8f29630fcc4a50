"""Chat with the local assistant as a WeChat user, from the terminal.

Sends what you type to the WeChat channel (/webhooks/wechat/webhook) exactly as WeChat's
servers would: signed with WECHAT_TOKEN and, when WECHAT_AES_KEY is set, encrypted (safe mode).
Passive replies are printed at once. Replies that go through the customer-service API (slow
answers, agents' messages from the console) are printed too when the server's WECHAT_API_BASE
points at the small stand-in API this script serves (--api-port, default 5099):

    WECHAT_TOKEN=dev-token WECHAT_API_BASE=http://127.0.0.1:5099/cgi-bin/ make run
    WECHAT_TOKEN=dev-token .venv/bin/python scripts/wechat_sim.py

Besides text: /image <url> sends a picture, /voice <text> a transcribed voice message,
/click <key> a menu click, /subscribe a new follow, /quit leaves.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from bot.channels.wechat import simulate
from bot.channels.wechat.config import WeChatConfig
from bot.settings import get_settings


class StandInApi(BaseHTTPRequestHandler):
    """WeChat's token and customer-service endpoints: prints what the assistant pushes."""

    # do_GET / do_POST: the names http.server looks for.
    def do_GET(self) -> None:
        self._json({"access_token": "sim-" + secrets.token_hex(8), "expires_in": 7200})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        text = (body.get("text") or {}).get("content") or json.dumps(body, ensure_ascii=False)
        print(f"\n小优（客服消息）：{text}\n你：", end="", flush=True)
        self._json({"errcode": 0, "errmsg": "ok"})

    def _json(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def message_for(openid: str, line: str) -> str:
    command, _, rest = line.partition(" ")
    if command == "/image":
        return simulate.image(openid, rest or "http://mmbiz.qpic.cn/sim.jpg", "sim-media")
    if command == "/voice":
        return simulate.voice(openid, rest)
    if command == "/click":
        return simulate.event(openid, "CLICK", rest)
    if command == "/subscribe":
        return simulate.event(openid, "subscribe")
    return simulate.text(openid, line)


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=settings.rasa_url, help="the Rasa server")
    parser.add_argument("--openid", default="oSIM" + secrets.token_hex(6), help="who you are")
    parser.add_argument("--api-port", type=int, default=5099, help="stand-in API port, 0: none")
    args = parser.parse_args(argv)
    config = WeChatConfig(
        token=settings.wechat_token, appid=settings.wechat_appid, aes_key=settings.wechat_aes_key
    )
    if not config.enabled:
        print("WECHAT_TOKEN is not set (here and for the server alike).", file=sys.stderr)
        return 2
    if args.api_port:
        api = ThreadingHTTPServer(("127.0.0.1", args.api_port), StandInApi)
        threading.Thread(target=api.serve_forever, daemon=True).start()
    webhook = args.url.rstrip("/") + "/webhooks/wechat/webhook"
    mode = "安全模式" if config.safe_mode else "明文模式"
    print(f"以微信用户 {args.openid} 的身份聊天（{mode}，{webhook}）。/quit 退出。")
    while True:
        try:
            line = input("你：").strip()
        except (EOFError, KeyboardInterrupt):
            return 0
        if line == "/quit":
            return 0
        if not line:
            continue
        request = simulate.signed(config, message_for(args.openid, line), args.openid)
        try:
            answer = requests.post(webhook, params=request.params, data=request.body, timeout=10)
        except requests.RequestException as error:
            print(f"（连不上服务器：{error}）")
            continue
        if answer.status_code != 200:
            print(f"（服务器拒绝了这条消息：{answer.status_code} {answer.text}）")
            continue
        reply = simulate.reply_text(config, answer.text)
        print(f"小优：{reply}" if reply else "（没有被动回复：回复会通过客服消息接口发送）")


if __name__ == "__main__":
    raise SystemExit(main())
