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
    pollAgain: false,
    pokeTimer: null,
    alerted: {}, // case ids already announced as newly queued
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
    // card.unreachable: the customer's channel refuses messages now (WeChat after 48 hours).
    var canSend = mine && !card.unreachable;
    composer.classList.toggle("is-readonly", !canSend);
    $("message-input").disabled = !canSend;
    $("send-btn").disabled = !canSend;
    $("canned-select").disabled = !canSend;
    if (card.unreachable && card.status !== "resolved") notice(card.unreachable);
    else if (card.status === "waiting") notice("顾客正在排队，接入后即可回复。顾客排队时发的消息都在下方记录里。");
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
    if (entry.kind === "customer" && entry.intent) li.appendChild(intentNode(entry));
    if (entry.buttons && entry.buttons.length) {
      var buttons = el("div", "msg__buttons");
      entry.buttons.forEach(function (title) { buttons.appendChild(el("span", "msg__button", title)); });
      li.appendChild(buttons);
    }
    return li;
  }

  // ------------------------------------------------------------------ intent corrections

  var intentList = null; // a promise of [{name, label}], loaded once from api/intents

  function loadIntents() {
    if (!intentList) {
      intentList = K.api("intents").then(function (result) {
        if (!result.ok) throw result;
        return result.data.intents || [];
      }).catch(function (problem) { intentList = null; throw problem; });
    }
    return intentList;
  }

  function mayCorrect() {
    var card = state.card, me = state.me;
    if (!card || !me) return false;
    return me.role === "supervisor" || (card.agent_id === me.id && card.status !== "waiting");
  }

  // Under a customer message: what the bot understood, the agent's verdict, and the
  // "纠正意图" control (a select of the domain's intents) for the agent holding the case.
  function intentNode(entry) {
    var box = el("div", "msg__intent muted");
    var reading = el("span", null, "识别：" + (entry.intent_label || entry.intent));
    reading.title = entry.intent;
    box.appendChild(reading);
    var verdict = el("span", "msg__emotion");
    function showVerdict(name, label) {
      verdict.textContent = "已纠正为 " + (label || name);
      verdict.title = name;
      verdict.hidden = false;
    }
    verdict.hidden = true;
    box.appendChild(verdict);
    if (entry.correction) showVerdict(entry.correction.intent, entry.correction.label);
    if (!mayCorrect()) return box;

    var caseId = state.caseId;
    var button = el("button", "chip", "纠正意图");
    button.type = "button";
    var select = el("select");
    select.hidden = true;
    select.setAttribute("aria-label", "纠正意图");
    box.appendChild(button);
    box.appendChild(select);
    button.addEventListener("click", function () {
      button.disabled = true;
      loadIntents().then(function (intents) {
        clear(select);
        var prompt = el("option", null, "选择正确的意图…");
        prompt.value = "";
        select.appendChild(prompt);
        intents.forEach(function (intent) {
          var option = el("option", null, intent.label === intent.name ? intent.name : intent.label + "（" + intent.name + "）");
          option.value = intent.name;
          select.appendChild(option);
        });
        button.hidden = true;
        select.hidden = false;
        select.focus();
      }, function (result) {
        button.disabled = false;
        K.failed(result || {}, "无法加载意图列表。");
      });
    });
    select.addEventListener("change", function () {
      var name = select.value;
      if (!name) return;
      var label = select.options[select.selectedIndex].textContent;
      select.disabled = true;
      K.api("cases/" + encodeURIComponent(caseId) + "/corrections", {
        method: "POST",
        body: { message_timestamp: entry.at, corrected_intent: name }
      }).then(function (result) {
        select.disabled = false;
        if (!result.ok) { K.failed(result, "纠正失败。"); return; }
        entry.correction = { intent: result.data.corrected_intent, label: label };
        showVerdict(result.data.corrected_intent, label);
        select.hidden = true;
        button.hidden = false;
        button.disabled = false;
        K.toast("已记录意图纠正，谢谢！");
      }, function () {
        select.disabled = false;
        K.toast("纠正失败，请稍后再试。", true);
      });
    });
    return box;
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
