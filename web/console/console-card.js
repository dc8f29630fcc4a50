/*
 * Agent console, part 2 of 3: the case card (header, transcript, context, reply helpers).
 * Reads and writes the shared state in KefuConsole.state; console.js drives it.
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var $ = K.$, el = K.el, clear = K.clear, clockTime = K.clockTime, display = K.display;
  var duration = K.duration;
  var state = (K.state = {
    me: null,
    view: "desk",
    caseId: null,
    card: null,
    seen: {}, // transcript keys of the open case
    lastAt: null,
    knownQueue: null, // ids seen in the queue, for the "new case" flash
    clocks: {}, // case id -> {first: [wait, t], last: [wait, t]}
    pollTimer: null,
    polling: false,
    resolveArmed: null
  });

  function notice(text) {
    $("case-notice").textContent = text || "";
    $("case-notice").hidden = !text;
  }

  function renderCard(card) {
    state.card = card;
    $("case-empty").hidden = true;
    $("case-card").hidden = false;
    $("case-card").setAttribute("data-case-id", String(card.id));
    $("case-card").setAttribute("data-status", card.status);
    var priority = $("case-priority");
    priority.className = "badge badge--p" + card.priority;
    priority.textContent = card.priority_label;
    $("case-title").textContent = (card.customer_name || "顾客") + " · 会话 #" + card.id;
    var status = $("case-status");
    status.className = "badge badge--status badge--" + card.status;
    status.textContent = card.status_label + (card.agent_name && card.status !== "waiting" ? " · " + card.agent_name : "");
    var meta = ["转入 " + (card.created_at || "").replace("T", " ")];
    if (card.wait_seconds !== null && card.wait_seconds !== undefined && card.status !== "waiting") {
      meta.push("排队 " + duration(card.wait_seconds));
    }
    if (card.after_hours) meta.push("非服务时间留言" + (card.callback_by ? "，需在 " + card.callback_by.replace("T", " ") + " 前回电" : ""));
    $("case-meta").textContent = meta.join(" · ");
    $("case-score").textContent = "评分 " + Number(card.score || 0).toFixed(2);

    var reasons = $("case-reasons");
    clear(reasons);
    (card.reasons || []).forEach(function (reason) {
      var li = el("li", "reason" + (card.priority >= 3 ? " reason--p3" : ""));
      li.appendChild(el("div", "reason__label", reason.label));
      if (reason.detail) li.appendChild(el("div", "reason__detail", reason.detail));
      reasons.appendChild(li);
    });
    if (!(card.reasons || []).length) reasons.appendChild(el("li", "muted", "顾客请求人工服务"));

    var mine = !!card.mine;
    $("claim-btn").hidden = card.status !== "waiting";
    $("transfer-box").hidden = !mine;
    $("resolve-btn").hidden = !mine;
    disarmResolve();
    var composer = $("composer");
    composer.classList.toggle("is-readonly", !mine);
    $("message-input").disabled = !mine;
    $("send-btn").disabled = !mine;
    $("canned-select").disabled = !mine;
    if (card.status === "waiting") notice("顾客正在排队，接入后即可回复。顾客排队时发的消息都在下方记录里。");
    else if (card.status === "resolved") notice("这个会话已解决，机器人已接回对话。");
    else if (!mine) notice("这个会话由 " + (card.agent_name || "其他客服") + " 处理中（只读）。");
    else notice("");
  }

  function messageKey(entry) { return entry.at + "|" + entry.kind + "|" + entry.text; }

  function messageNode(entry) {
    var li = el("li", "msg msg--" + entry.kind + (entry.choice ? " msg--choice" : ""));
    if (entry.kind !== "system") {
      var who = el("div", "msg__who");
      var name = entry.kind === "customer" ? (state.card && state.card.customer_name) || "顾客"
        : entry.kind === "agent" ? "人工客服 " + (entry.agent || "") : "智能客服";
      who.appendChild(el("span", null, name));
      who.appendChild(el("time", null, clockTime(entry.at)));
      if (entry.emotion) who.appendChild(el("span", "msg__emotion", entry.emotion));
      li.appendChild(who);
    }
    li.appendChild(el("div", "msg__bubble", entry.kind === "system" ? entry.text + " · " + clockTime(entry.at) : entry.text));
    if (entry.buttons && entry.buttons.length) {
      var buttons = el("div", "msg__buttons");
      entry.buttons.forEach(function (title) { buttons.appendChild(el("span", "msg__button", title)); });
      li.appendChild(buttons);
    }
    return li;
  }

  function appendMessages(entries, forceScroll) {
    var list = $("transcript");
    var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    var added = 0;
    entries.forEach(function (entry) {
      if (state.lastAt === null || entry.at > state.lastAt) state.lastAt = entry.at;
      var key = messageKey(entry);
      if (state.seen[key]) return;
      state.seen[key] = true;
      list.appendChild(messageNode(entry));
      added += 1;
    });
    if (added && (forceScroll || nearBottom)) list.scrollTop = list.scrollHeight;
  }

  // ------------------------------------------------------------------ context

  function renderFacts(list, object, skip) {
    Object.keys(object || {}).forEach(function (key) {
      if (skip && skip.indexOf(key) >= 0) return;
      var value = object[key];
      if (value === null || value === undefined || value === "") return;
      list.appendChild(el("dt", null, K.FACT_LABELS[key] || key));
      list.appendChild(el("dd", null, display(value)));
    });
  }

  function renderContext(card) {
    var summary = card.summary || {};
    var customer = $("ctx-customer");
    clear(customer);
    if (summary.customer && typeof summary.customer === "object") renderFacts(customer, summary.customer);
    else {
      customer.appendChild(el("dt", null, "身份"));
      customer.appendChild(el("dd", null, card.customer_id ? "顾客 " + card.customer_id : "匿名访客（未登录）"));
    }

    var orders = $("ctx-orders");
    clear(orders);
    var list = Array.isArray(summary.orders) ? summary.orders : [];
    if (!list.length) orders.appendChild(el("p", "muted", "对话中没有核实过的订单"));
    list.forEach(function (order) {
      var box = el("div", "order");
      var head = el("div", "order__head");
      head.appendChild(el("span", "order__no", order.order_no || "订单"));
      head.appendChild(el("span", "badge", order.status || ""));
      box.appendChild(head);
      var facts = el("dl", "facts");
      renderFacts(facts, order, ["order_no", "status"]);
      box.appendChild(facts);
      orders.appendChild(box);
    });

    var intents = $("ctx-intents");
    clear(intents);
    (card.intents || []).forEach(function (intent) {
      var tag = el("li", "tag", intent.label);
      tag.title = intent.name;
      intents.appendChild(tag);
    });
    if (!intents.firstChild) intents.appendChild(el("li", "muted", "—"));

    var emotions = $("ctx-emotions");
    clear(emotions);
    var timeline = Array.isArray(summary.emotion_timeline) ? summary.emotion_timeline : [];
    timeline.forEach(function (point) {
      var name = String(point.emotion || "unknown");
      var li = el("li", "emotion emotion--" + name.replace(/[^a-z_]/g, ""));
      li.appendChild(el("span", "emotion__label", K.EMOTION_LABELS[name] || name));
      if (typeof point.confidence === "number") li.appendChild(el("span", "emotion__score", Math.round(point.confidence * 100) + "%"));
      if (point.text) {
        var text = el("span", "emotion__text", point.text);
        text.title = point.text;
        li.appendChild(text);
      }
      emotions.appendChild(li);
    });
    if (!emotions.firstChild) emotions.appendChild(el("li", "muted", "转人工时还没有情绪记录"));
  }

  function renderReplies(card) {
    var box = $("suggestions");
    clear(box);
    (card.suggestions || []).forEach(function (reply) {
      var chip = el("button", "chip", reply.title);
      chip.type = "button";
      chip.title = reply.text;
      chip.disabled = !card.mine;
      chip.addEventListener("click", function () { useReply(reply.text); });
      box.appendChild(chip);
    });
    var select = $("canned-select");
    while (select.options.length > 1) select.remove(1);
    (card.canned || []).forEach(function (reply) {
      var option = el("option", null, reply.title);
      option.value = reply.text;
      select.appendChild(option);
    });
  }

  function useReply(text) {
    var input = $("message-input");
    if (input.disabled) return;
    input.value = text;
    input.focus();
  }

  $("canned-select").addEventListener("change", function (event) {
    if (event.target.value) useReply(event.target.value);
    event.target.value = "";
  });

  function disarmResolve() {
    clearTimeout(state.resolveArmed);
    state.resolveArmed = null;
    $("resolve-btn").textContent = "解决并交回机器人";
  }

  K.notice = notice;
  K.renderCard = renderCard;
  K.appendMessages = appendMessages;
  K.renderContext = renderContext;
  K.renderReplies = renderReplies;
  K.disarmResolve = disarmResolve;
})();
