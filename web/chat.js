/*
 * Customer chat page: demo-customer picker + the rasa-webchat 1.0.1 widget, plain JS, no build.
 *
 * Identity model: the chosen customer lives in the URL (?customer=ID) so it survives a reload and
 * can be shared with a tester; no parameter means the anonymous visitor. The widget keeps its
 * conversation in sessionStorage (params.storage = "session"); we remember next to it which
 * identity that conversation belongs to, and drop it whenever the identity changes, so a new
 * customer always starts a fresh Rasa session (the session id is the Rasa sender id).
 *
 * Signing in: the picker exists only in demo mode (the server answers 404 for "customers"
 * otherwise). For a picked customer the page asks the server for a demo token ("demo-token") and
 * connects the widget's socket with it (?token=, as rasa-webchat cannot pass socket.io auth);
 * the server signs the chat in from the token alone, never from anything in customData.
 *
 * Every piece of data is put into the DOM with textContent / createElement, never innerHTML.
 */
(function () {
  "use strict";

  // rasa-webchat 1.0.1 stores its whole conversation (and the session id) under this key.
  var WIDGET_SESSION_KEY = "chat_session";
  // Which identity the stored conversation belongs to.
  var IDENTITY_KEY = "kefu.chat.identity";
  // Set just before a reload that must start a fresh conversation.
  var RESET_KEY = "kefu.chat.reset";
  var ANONYMOUS = "anonymous";
  var CUSTOMERS_TIMEOUT_MS = 8000;

  // Chinese labels for English state / level keys; the store already keeps Chinese words (待发货,
  // 金卡…), which are shown as they come, and so is any unknown value: a new state never breaks
  // the card.
  var STATUS_LABELS = {
    pending_payment: "待付款",
    unpaid: "待付款",
    paid: "待发货",
    pending: "待发货",
    to_ship: "待发货",
    awaiting_shipment: "待发货",
    shipped: "已发货",
    in_transit: "运输中",
    delivering: "派送中",
    out_for_delivery: "派送中",
    delivered: "已签收",
    completed: "已完成",
    cancelled: "已取消",
    canceled: "已取消",
    refunding: "退款中",
    return_requested: "退货中",
    returning: "退货中",
    returned: "已退货",
    refunded: "已退款",
    closed: "已关闭"
  };
  var LEVEL_LABELS = {
    // What the store keeps (bot.db.enums.MembershipLevel) …
    "普通": "普通会员",
    "银卡": "银卡会员",
    "金卡": "金卡会员",
    "钻石卡": "钻石卡会员",
    // … and English keys, should an older or other backend send those.
    regular: "普通会员",
    normal: "普通会员",
    bronze: "青铜会员",
    silver: "白银会员",
    gold: "黄金会员",
    platinum: "铂金会员",
    diamond: "钻石会员",
    vip: "VIP 会员",
    svip: "超级会员"
  };
  // A demo customer can have orders in all nine states. Cards stay short by showing the states
  // testers ask about most (parcels on the way, then returns, then the rest); the chosen
  // customer's card lists every state, so all of that customer's order numbers are at hand.
  var STATUS_PRIORITY = ["运输中", "派送中", "已发货", "已签收", "待发货", "售后中", "待付款", "已完成", "已取消"];
  var COMPACT_STATUSES = 4;
  var COMPACT_ORDERS_PER_STATUS = 1;
  var FULL_ORDERS_PER_STATUS = 2;

  var widgetRef = { current: null };
  var state = {
    identity: ANONYMOUS, // customer_id or ANONYMOUS
    customers: [],
    loaded: false
  };

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(map, key) {
    var k = String(key);
    return Object.prototype.hasOwnProperty.call(map, k.toLowerCase()) ? map[k.toLowerCase()] : k;
  }

  function storage() {
    // sessionStorage throws in some privacy modes; the page then just cannot resume chats.
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  function requestedIdentity() {
    var id = new URLSearchParams(window.location.search).get("customer");
    return id && id.trim() ? id.trim() : ANONYMOUS;
  }

  function urlFor(identity) {
    var url = new URL(window.location.href);
    if (identity === ANONYMOUS) url.searchParams.delete("customer");
    else url.searchParams.set("customer", identity);
    return url.toString();
  }

  /* Ask the next page load for a fresh conversation. Removing the widget's key right here would
     not do: the widget writes its state back while the page unloads (its socket disconnects),
     so the old conversation would be in storage again when the next page starts. */
  function requestFreshConversation() {
    var s = storage();
    if (s) s.setItem(RESET_KEY, "1");
  }

  /* Runs before the widget starts: drop the stored conversation when a reset was asked for or
     when it belongs to someone else (another customer picked, or the URL edited by hand). */
  function bindConversationTo(identity) {
    var s = storage();
    if (!s) return;
    if (s.getItem(RESET_KEY) || s.getItem(IDENTITY_KEY) !== identity) {
      s.removeItem(WIDGET_SESSION_KEY);
    }
    s.removeItem(RESET_KEY);
    s.setItem(IDENTITY_KEY, identity);
  }

  /* Switching identity reloads the page: the widget has no public unmount, and a reload is the
     one way to be sure the old socket, its session and its React tree are gone. */
  function switchTo(identity) {
    requestFreshConversation();
    window.location.assign(urlFor(identity));
  }

  function findCustomer(id) {
    for (var i = 0; i < state.customers.length; i++) {
      if (String(state.customers[i].customer_id) === id) return state.customers[i];
    }
    return null;
  }

  /* ---------- picker ---------- */

  function setStatus(text, isError) {
    var node = $("customer-status");
    node.textContent = text || "";
    node.classList.toggle("is-error", Boolean(isError));
  }

  function cardShell(identity) {
    var item = el("li");
    var card = el("button", "customer-card");
    card.type = "button";
    card.dataset.customerId = identity;
    var selected = identity === state.identity;
    card.setAttribute("aria-pressed", selected ? "true" : "false");
    if (selected) card.classList.add("is-selected");
    card.addEventListener("click", function () {
      if (identity !== state.identity) switchTo(identity);
    });
    item.appendChild(card);
    return { item: item, card: card, selected: selected };
  }

  function cardHead(avatarText, avatarClass, name, badgeText, subline, selected) {
    var head = el("div", "customer-card__head");
    head.appendChild(el("span", "avatar" + (avatarClass ? " " + avatarClass : ""), avatarText));
    var who = el("span", "customer-card__who");
    who.appendChild(el("span", "customer-card__name", name));
    if (badgeText) who.appendChild(el("span", "badge", badgeText));
    who.appendChild(el("span", "customer-card__phone", subline));
    head.appendChild(who);
    if (selected) head.appendChild(el("span", "current-tag", "当前"));
    return head;
  }

  function anonymousCard() {
    var shell = cardShell(ANONYMOUS);
    shell.card.appendChild(
      cardHead("访", "avatar--guest", "匿名访客", null, "未登录 · 咨询商品、售后政策等通用问题", shell.selected)
    );
    return shell.item;
  }

  function customerCard(c) {
    var shell = cardShell(String(c.customer_id));
    var name = String(c.name || "顾客");
    shell.card.appendChild(
      cardHead(name.charAt(0), "", name, c.level ? label(LEVEL_LABELS, c.level) : null,
        c.phone_masked || "", shell.selected)
    );

    var byStatus = c.orders_by_status || {};
    var statuses = Object.keys(byStatus).filter(function (s) {
      return Array.isArray(byStatus[s]) && byStatus[s].length > 0;
    });
    var shown = shell.selected ? statuses : pickStatuses(statuses, COMPACT_STATUSES);
    var perStatus = shell.selected ? FULL_ORDERS_PER_STATUS : COMPACT_ORDERS_PER_STATUS;
    if (shown.length) {
      var list = el("dl", "customer-card__orders");
      shown.forEach(function (status) {
        list.appendChild(el("dt", null, label(STATUS_LABELS, status)));
        var dd = el("dd");
        byStatus[status].slice(0, perStatus).forEach(function (orderNo) {
          dd.appendChild(el("code", "order-no", orderNo));
        });
        list.appendChild(dd);
      });
      shell.card.appendChild(list);
    }
    var count = Number(c.order_count) || 0;
    var meta = count ? "共 " + count + " 笔订单" : "暂无订单";
    if (shown.length < statuses.length) {
      meta += " · 另有 " + (statuses.length - shown.length) + " 种状态，选中后全部显示";
    }
    shell.card.appendChild(el("p", "customer-card__meta", meta));
    return shell.item;
  }

  /* The `limit` most useful states, kept in the order the server gave (the order life cycle). */
  function pickStatuses(statuses, limit) {
    function rank(s) {
      var i = STATUS_PRIORITY.indexOf(label(STATUS_LABELS, s));
      return i === -1 ? STATUS_PRIORITY.length : i;
    }
    var chosen = statuses.slice().sort(function (a, b) {
      return rank(a) - rank(b);
    }).slice(0, limit);
    return statuses.filter(function (s) {
      return chosen.indexOf(s) !== -1;
    });
  }

  function renderPicker() {
    var list = $("customer-list");
    list.replaceChildren();
    list.appendChild(anonymousCard());
    state.customers.forEach(function (c) {
      list.appendChild(customerCard(c));
    });
    // On narrow screens the cards form one horizontal row: bring the chosen one into view. Only
    // the row scrolls (no scrollIntoView, which would also scroll the page away from the chat).
    var chosen = list.querySelector(".customer-card.is-selected");
    if (chosen && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = chosen.parentNode.offsetLeft - list.offsetLeft;
    }
  }

  function renderIdentity(customer) {
    var text = "匿名访客";
    if (customer) {
      text = customer.name + (customer.level ? "（" + label(LEVEL_LABELS, customer.level) + "）" : "");
      if (customer.phone_masked) text += " " + customer.phone_masked;
    }
    $("current-identity").textContent = text;
  }

  function fetchCustomers() {
    var controller = new AbortController();
    var timer = window.setTimeout(function () {
      controller.abort();
    }, CUSTOMERS_TIMEOUT_MS);
    // Relative URL: resolves to /webhooks/chat/customers wherever the page is mounted.
    return fetch("customers", { headers: { Accept: "application/json" }, signal: controller.signal })
      .then(function (res) {
        if (res.status === 404) return null; // not a demo server: no picker
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (data) {
        if (data === null) return null;
        if (!Array.isArray(data)) throw new Error("unexpected customers payload");
        return data.filter(function (c) {
          return c && c.customer_id !== undefined && c.customer_id !== null;
        });
      })
      .finally(function () {
        window.clearTimeout(timer);
      });
  }

  /* A signed token for a demo customer; null when none can be had (the chat is anonymous). */
  function fetchDemoToken(customer) {
    if (!customer) return Promise.resolve(null);
    return fetch("demo-token", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ customer_id: customer.customer_id })
    })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (data) {
        return data && typeof data.token === "string" ? data.token : null;
      })
      .catch(function () {
        return null;
      });
  }

  /* ---------- widget ---------- */

  function sendToWidget(text) {
    var widget = widgetRef.current;
    if (!widget || typeof widget.sendMessage !== "function") return false;
    // (payload, displayed text): the text is what Rasa's NLU sees and what the bubble shows.
    widget.sendMessage(text, text);
    return true;
  }

  /* ---------- typing notes with the agent console (bot/handoff/console/live.py) ---------- */

  var TYPING_EVERY_MS = 3000, TYPING_SHOWN_MS = 4000, typedAt = 0, typingTimer = null;
  // The widget's socket.io socket: its event handlers run with the socket as `this`, and the
  // widget offers no other way to it.
  var widgetSocket = null;

  function rememberSocket() { widgetSocket = this; }

  // The agent holding a handed-over chat is typing: say so under the widget for a moment.
  function showAgentTyping(data) {
    var note = $("agent-typing");
    if (!note) {
      note = el("p", "agent-typing");
      note.id = "agent-typing";
      note.setAttribute("role", "status");
      $("webchat").parentNode.insertBefore(note, $("webchat").nextSibling);
    }
    note.textContent = "人工客服" + ((data && data.agent) || "") + "正在输入…";
    note.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { note.hidden = true; }, TYPING_SHOWN_MS);
  }

  // The customer is typing: tell the server on the widget's own socket (the server passes it
  // on only while a person holds or is about to take the chat).
  function customerTyping(event) {
    var now = Date.now();
    if (!event.target.classList || !event.target.classList.contains("rw-new-message")) return;
    if (!widgetSocket || !widgetSocket.connected || now - typedAt < TYPING_EVERY_MS) return;
    typedAt = now;
    widgetSocket.emit("customer_typing", {});
  }

  function initWidget(token) {
    var container = $("webchat");
    if (!window.WebChat || typeof window.WebChat.default !== "function") {
      container.appendChild(el("p", "picker__status is-error", "客服组件加载失败，请刷新页面重试。"));
      return;
    }
    // rasa-webchat 1.0.x dropped the global WebChat.send of 0.x; offer it again on top of the
    // widget's ref so quick questions, tests and the console can all use one call.
    if (typeof window.WebChat.send !== "function") window.WebChat.send = sendToWidget;

    window.WebChat.default(
      {
        innerRef: widgetRef,
        initPayload: "/greet",
        socketUrl: window.location.origin + (token ? "/?token=" + encodeURIComponent(token) : ""),
        socketPath: "/socket.io/",
        // Identity travels in the token only; the server ignores customData's contents.
        customData: {},
        title: "在线客服",
        subtitle: "优选好物官方旗舰店 · 智能客服小优为您服务",
        inputTextFieldHint: "请输入您的问题…",
        connectingText: "正在连接客服…",
        embedded: true,
        showCloseButton: false,
        showFullScreenButton: false,
        // Keep the panel visible while (re)connecting instead of letting it vanish.
        hideWhenNotConnected: false,
        // Botfront "rules" need the augmented channel; with them on, the widget stays hidden
        // until the server sends rule props, which Rasa's socketio channel never does.
        withRules: false,
        params: { storage: "session" },
        onSocketEvent: { session_confirm: rememberSocket, agent_typing: showAgentTyping },
        customMessageDelay: function (message) {
          // A short typing pause reads naturally; the 3 s default feels slow for a shop.
          var delay = (message || "").length * 20;
          return Math.max(300, Math.min(delay, 1200));
        }
      },
      container
    );
    container.addEventListener("input", customerTyping);
    document.documentElement.dataset.widget = "initialised";
  }

  function bindControls() {
    Array.prototype.forEach.call(document.querySelectorAll(".chip[data-question]"), function (chip) {
      chip.addEventListener("click", function () {
        sendToWidget(chip.dataset.question);
      });
    });
    $("restart-chat").addEventListener("click", function () {
      requestFreshConversation();
      window.location.reload();
    });
  }

  function start() {
    bindControls();
    var wanted = requestedIdentity();
    state.identity = wanted;
    renderPicker();

    fetchCustomers()
      .then(function (customers) {
        if (customers === null) {
          // Not a demo server: the chat is anonymous (a shop signs customers in itself).
          document.querySelector(".picker").hidden = true;
          customers = [];
        }
        state.customers = customers;
        state.loaded = true;
        setStatus(customers.length ? "" : "暂无演示顾客，可以先以匿名访客身份咨询。", false);
      })
      .catch(function () {
        setStatus("演示顾客暂时无法加载，当前以匿名访客身份咨询。", true);
      })
      .then(function () {
        var customer = wanted === ANONYMOUS ? null : findCustomer(wanted);
        if (wanted !== ANONYMOUS && !customer) {
          // Unknown (or unloadable) customer: fall back to anonymous and say so, rather than
          // chatting with an identity the bot cannot verify.
          // The URL is only corrected when the list did load: after a passing database outage a
          // reload then brings the chosen customer back.
          state.identity = ANONYMOUS;
          if (state.loaded) {
            setStatus("未找到该演示顾客，已切换为匿名访客。", true);
            window.history.replaceState(null, "", urlFor(ANONYMOUS));
          }
        }
        return fetchDemoToken(customer).then(function (token) {
          if (customer && !token) {
            setStatus("演示登录暂时不可用，当前以匿名访客身份咨询。", true);
            state.identity = ANONYMOUS;
            customer = null;
          }
          renderPicker();
          renderIdentity(customer);
          bindConversationTo(state.identity);
          initWidget(token);
        });
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
