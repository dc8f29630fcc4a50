/*
 * Agent console, part 3 of 3: login, queue, case card with live chat, transfer, resolve,
 * supervisor view. Plain JS, no build step, nothing from a CDN (console-util.js and
 * console-card.js load first).
 *
 * Every piece of data (customer names and messages above all) goes into the DOM through
 * textContent / createElement, never innerHTML: a customer typing <script> sees it printed.
 * The session lives in an HttpOnly cookie this script cannot read; a 401 from any call shows the
 * login page again.
 *
 * Live updates: console-live.js keeps a socket.io connection that the server pokes when a
 * case changes (a customer writes, a colleague claims, transfers, resolves); each poke makes
 * one GET api/updates (queue, my chats with unread counts, the new messages of the open case).
 * The same request runs every POLL_MS as a fallback, for when the socket is down.
 *
 * Tabs: a <button class="tab" data-view="NAME"> in the topbar's <nav class="tabs"> shows the
 * <main id="NAME-view"> panel and hides the others. Give the button data-role="supervisor" (and
 * the hidden attribute) to show it to supervisors only. Scripts of a tab register with
 *   KefuConsole.onView("NAME", fn)  // fn() each time the tab is shown
 *   KefuConsole.onLive(fn)          // fn(poke) on every live poke, e.g. to refresh a list
 * (console-util.js defines both, so a tab's script may load before or after this one).
 */
(function () {
  "use strict";

  var POLL_MS = 15000;
  // Several pokes in a burst (a customer typing fast) make one request.
  var POKE_DELAY_MS = 150;
  var LONG_WAIT_SECONDS = 180;
  var ROLE_LABELS = { agent: "客服", supervisor: "主管" };

  var K = window.KefuConsole, state = K.state;
  var $ = K.$, el = K.el, clear = K.clear, api = K.api, toast = K.toast, failed = K.failed;
  var duration = K.duration, priorityBadge = K.priorityBadge, firstReason = K.firstReason;
  var renderCard = K.renderCard, appendMessages = K.appendMessages, disarmResolve = K.disarmResolve;

  function noteWait(brief) {
    var now = Date.now() / 1000, clock = state.clocks[brief.id];
    var sample = [brief.status === "waiting" ? brief.wait_seconds || 0 : brief.open_seconds || 0, now];
    if (!clock) state.clocks[brief.id] = { first: sample, last: sample, status: brief.status };
    else { clock.last = sample; if (clock.status !== brief.status) { clock.first = sample; clock.status = brief.status; } }
  }

  function liveSeconds(brief) {
    var clock = state.clocks[brief.id], now = Date.now() / 1000;
    if (!clock) return brief.wait_seconds || 0;
    return Math.max(clock.last[0] + now - clock.last[1], clock.first[0] + now - clock.first[1]);
  }

  // ------------------------------------------------------------------ login / logout

  function showLogin(message) {
    stopPolling();
    K.live.stop();
    state.me = null;
    $("app-view").hidden = true;
    $("login-view").hidden = false;
    $("login-error").textContent = message || "";
    document.title = "人工客服工作台 · 优选好物 官方旗舰店";
    $("login-username").focus();
  }

  function showApp(agent) {
    state.me = agent;
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("me-name").textContent = agent.display_name;
    $("me-role").textContent = ROLE_LABELS[agent.role] || agent.role;
    Array.prototype.forEach.call(document.querySelectorAll(".tab[data-role]"), function (tab) {
      tab.hidden = tab.getAttribute("data-role") !== agent.role;
    });
    setView("desk");
    loadAgents();
    startPolling();
    K.live.showBell();
    K.live.start(onPoke, poll);
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var username = $("login-username").value.trim(), password = $("login-password").value;
    if (!username || !password) { $("login-error").textContent = "请输入用户名和密码。"; return; }
    K.live.askPermission();
    $("login-submit").disabled = true;
    api("login", { method: "POST", body: { username: username, password: password } })
      .then(function (result) {
        $("login-submit").disabled = false;
        if (!result.ok) {
          $("login-error").textContent = result.data.message || "登录失败，请稍后再试。";
          return;
        }
        $("login-password").value = "";
        showApp(result.data.agent);
      })
      .catch(function () {
        $("login-submit").disabled = false;
        $("login-error").textContent = "网络异常，请稍后再试。";
      });
  });

  $("logout-btn").addEventListener("click", function () {
    api("logout", { method: "POST", body: {} }).then(function () {
      closeCase();
      showLogin("已退出登录。");
    });
  });

  // ------------------------------------------------------------------ views

  function setView(view) {
    state.view = view;
    Array.prototype.forEach.call(document.querySelectorAll(".tab"), function (tab) {
      var name = tab.getAttribute("data-view"), panel = $(name + "-view");
      tab.setAttribute("aria-pressed", String(name === view));
      if (panel) panel.hidden = name !== view;
    });
    K.runViewHooks(view);
  }

  K.onView("supervisor", function () { loadSupervisor(); });
  K.setView = setView;
  K.openCase = function (id) { openCase(id); };

  Array.prototype.forEach.call(document.querySelectorAll(".tab"), function (tab) {
    tab.addEventListener("click", function () { setView(tab.getAttribute("data-view")); });
  });

  // ------------------------------------------------------------------ queue and my chats

  function caseItem(brief, waiting) {
    var li = el("li");
    var button = el("button", "case-item");
    button.type = "button";
    button.setAttribute("data-case-id", String(brief.id));
    if (brief.id === state.caseId) button.setAttribute("aria-current", "true");
    var top = el("div", "case-item__top");
    top.appendChild(priorityBadge(brief));
    top.appendChild(el("span", "case-item__name", brief.customer_name || "顾客"));
    var wait = el("span", "case-item__wait");
    wait.setAttribute("data-wait-for", String(brief.id));
    wait.setAttribute("data-counting", waiting ? "1" : "0");
    wait.textContent = waiting ? duration(liveSeconds(brief)) : "处理中";
    top.appendChild(wait);
    // Messages this agent has not been shown; never on the chat that is open right now.
    if (brief.unread && brief.id !== state.caseId) {
      var unread = el("span", "unread", brief.unread > 99 ? "99+" : String(brief.unread));
      unread.setAttribute("data-unread-for", String(brief.id));
      unread.title = brief.unread + " 条未读消息";
      top.appendChild(unread);
    }
    button.appendChild(top);
    button.appendChild(el("span", "case-item__reason", firstReason(brief)));
    button.addEventListener("click", function () { openCase(brief.id); });
    li.appendChild(button);
    return li;
  }

  var briefs = {};

  function renderLists(queue, mine) {
    var isFirst = state.knownQueue === null, known = state.knownQueue || {}, fresh = 0;
    var queueList = $("queue-list"), mineList = $("mine-list");
    clear(queueList);
    clear(mineList);
    var nextKnown = {};
    queue.forEach(function (brief) {
      briefs[brief.id] = brief;
      noteWait(brief);
      var item = caseItem(brief, true);
      if (!isFirst && !known[brief.id]) { item.firstChild.classList.add("is-new"); fresh += 1; }
      nextKnown[brief.id] = true;
      queueList.appendChild(item);
    });
    mine.forEach(function (brief) {
      briefs[brief.id] = brief;
      mineList.appendChild(caseItem(brief, false));
    });
    state.knownQueue = nextKnown;
    $("queue-count").textContent = String(queue.length);
    $("mine-count").textContent = String(mine.length);
    $("queue-empty").hidden = queue.length > 0;
    $("mine-empty").hidden = mine.length > 0;
    var unread = mine.reduce(function (sum, brief) {
      return sum + (brief.id === state.caseId ? 0 : brief.unread || 0);
    }, 0);
    document.title = (queue.length ? "(" + queue.length + ") " : "") + (unread ? "[" + unread + " 条未读] " : "") + "人工客服工作台";
    if (fresh) toast("有 " + fresh + " 位新顾客在排队");
  }

  function tickClocks() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-wait-for]"), function (node) {
      var brief = briefs[node.getAttribute("data-wait-for")];
      if (!brief || node.getAttribute("data-counting") !== "1") return;
      var seconds = liveSeconds(brief);
      node.textContent = duration(seconds);
      node.classList.toggle("is-long", seconds >= LONG_WAIT_SECONDS);
    });
  }

  // ------------------------------------------------------------------ polling

  function startPolling() {
    stopPolling();
    state.pollTimer = setInterval(poll, POLL_MS);
    poll();
  }

  function stopPolling() {
    if (state.pollTimer) clearInterval(state.pollTimer);
    state.pollTimer = null;
  }

  function schedulePoll() {
    if (state.pokeTimer) return;
    state.pokeTimer = setTimeout(function () { state.pokeTimer = null; poll(); }, POKE_DELAY_MS);
  }

  // A poke from the server (console-live.js): alert if it is news for this agent, then refresh.
  function onPoke(poke) {
    var me = state.me;
    if (!me) return;
    if (poke.kind === "customer_typing") {
      if (poke.case_id === state.caseId) K.live.showCustomerTyping();
      return;
    }
    var openHere = poke.case_id === state.caseId && document.visibilityState === "visible";
    var isNew = poke.status === "waiting" && state.knownQueue && !state.knownQueue[poke.case_id] && !state.alerted[poke.case_id];
    if (poke.kind === "customer_message" && isNew) {
      state.alerted[poke.case_id] = true;
      K.live.alert("新顾客排队", "会话 #" + poke.case_id + " 正在等待人工客服", poke.case_id, function () { openCase(poke.case_id); });
    } else if (poke.kind === "customer_message" && poke.status === "active" && poke.agent_id === me.id && !openHere) {
      K.live.alert("顾客发来新消息", "会话 #" + poke.case_id + " 有新消息", poke.case_id, function () { openCase(poke.case_id); });
    } else if (poke.kind === "transferred" && poke.agent_id === me.id) {
      K.live.alert("同事转给您一个会话", "会话 #" + poke.case_id, poke.case_id, function () { openCase(poke.case_id); });
    }
    K.runLiveHooks(poke);
    schedulePoll();
  }

  function poll() {
    if (!state.me) return;
    // A poke during a request may be news that request missed: one more round after it.
    if (state.polling) { state.pollAgain = true; return; }
    state.polling = true;
    state.pollAgain = false;
    var query = [];
    if (state.caseId !== null) {
      query.push("case=" + encodeURIComponent(state.caseId));
      // One second of overlap: messages with the same timestamp are never skipped, the
      // transcript keys drop the repeats.
      if (state.lastAt !== null) query.push("since=" + encodeURIComponent(state.lastAt - 1));
    }
    var polledCase = state.caseId;
    api("updates" + (query.length ? "?" + query.join("&") : ""))
      .then(function (result) {
        $("live-status").classList.toggle("is-offline", !result.ok || !K.live.connected);
        if (!result.ok) return;
        renderLists(result.data.queue || [], result.data.mine || []);
        if (result.data.case && polledCase === state.caseId) applyCaseUpdate(result.data.case);
        if (state.view === "supervisor") loadSupervisor();
      })
      .catch(function () { $("live-status").classList.add("is-offline"); })
      .then(function () {
        state.polling = false;
        if (state.pollAgain) poll();
      });
  }

  // ------------------------------------------------------------------ case card

  function openCase(id) {
    api("cases/" + encodeURIComponent(id)).then(function (result) {
      if (!result.ok) { failed(result, "无法打开这个会话。"); return; }
      state.caseId = result.data.id;
      state.seen = {};
      state.lastAt = null;
      clear($("transcript"));
      renderCard(result.data);
      appendMessages(result.data.transcript || [], true);
      K.renderContext(result.data);
      K.renderReplies(result.data);
      Array.prototype.forEach.call(document.querySelectorAll(".case-item"), function (node) {
        node.setAttribute("aria-current", String(node.getAttribute("data-case-id") === String(id)));
      });
      // Shown now: the server has moved this agent's read marker past these messages.
      Array.prototype.forEach.call(document.querySelectorAll('[data-unread-for="' + id + '"]'), function (node) {
        node.parentNode.removeChild(node);
      });
      if (result.data.mine) $("message-input").focus();
    });
  }

  function closeCase() {
    state.caseId = null;
    state.card = null;
    $("case-card").hidden = true;
    $("case-empty").hidden = false;
  }

  function applyCaseUpdate(update) {
    if (update.error) {
      closeCase();
      toast(update.error === "forbidden" ? "这个会话已转给其他客服。" : "这个会话已不存在。");
      return;
    }
    if (!state.card) return;
    var changed = update.status !== state.card.status || update.agent_id !== state.card.agent_id ||
      update.unreachable !== state.card.unreachable;
    var merged = {};
    Object.keys(state.card).forEach(function (k) { merged[k] = state.card[k]; });
    Object.keys(update).forEach(function (k) { if (k !== "messages") merged[k] = update[k]; });
    if (changed) renderCard(merged); else state.card = merged;
    appendMessages(update.messages || [], false);
  }

  // ------------------------------------------------------------------ actions

  $("claim-btn").addEventListener("click", function () {
    var id = state.caseId;
    $("claim-btn").disabled = true;
    api("cases/" + id + "/claim", { method: "POST", body: {} }).then(function (result) {
      $("claim-btn").disabled = false;
      if (!result.ok) { failed(result, "接入失败。"); if (result.status === 409) openCase(id); return; }
      toast("已接入会话，请尽快回复顾客。");
      openCase(id);
      poll();
    });
  });

  $("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    sendMessage();
  });

  $("message-input").addEventListener("input", function () {
    if (state.card && state.card.mine && state.card.status === "active") K.live.typing(state.caseId);
  });

  $("message-input").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  });

  function sendMessage() {
    var input = $("message-input"), text = input.value.trim(), id = state.caseId;
    if (!text || input.disabled) return;
    $("send-btn").disabled = true;
    api("cases/" + id + "/messages", { method: "POST", body: { text: text } }).then(function (result) {
      $("send-btn").disabled = false;
      if (!result.ok) { failed(result, "发送失败。"); return; }
      input.value = "";
      if (id === state.caseId) appendMessages([result.data.message], true);
      input.focus();
    }).catch(function () { $("send-btn").disabled = false; toast("网络异常，消息未发送。", true); });
  }

  function loadAgents() {
    api("agents").then(function (result) {
      if (!result.ok) return;
      var select = $("transfer-select");
      clear(select);
      select.appendChild(el("option", null, "转接给…")).value = "";
      (result.data.agents || []).forEach(function (agent) {
        var option = el("option", null, agent.display_name + (agent.role === "supervisor" ? "（主管）" : ""));
        option.value = String(agent.id);
        select.appendChild(option);
      });
    });
  }

  $("transfer-btn").addEventListener("click", function () {
    var target = $("transfer-select").value, id = state.caseId;
    if (!target) { toast("请先选择要转接的客服。", true); return; }
    api("cases/" + id + "/transfer", { method: "POST", body: { agent_id: Number(target) } })
      .then(function (result) {
        if (!result.ok) { failed(result, "转接失败。"); return; }
        toast("已转接给 " + (result.data.case.agent_name || "同事") + "。");
        closeCase();
        poll();
      });
  });

  $("resolve-btn").addEventListener("click", function () {
    // Two clicks: handing the chat back cannot be undone from here.
    if (!state.resolveArmed) {
      $("resolve-btn").textContent = "确认解决？再点一次";
      state.resolveArmed = setTimeout(disarmResolve, 4000);
      return;
    }
    disarmResolve();
    var id = state.caseId;
    $("resolve-btn").disabled = true;
    api("cases/" + id + "/resolve", { method: "POST", body: {} }).then(function (result) {
      $("resolve-btn").disabled = false;
      if (!result.ok) { failed(result, "操作失败。"); return; }
      toast(result.data.rating_requested === false
        ? "已解决，机器人已接回对话（评价邀请未能发出）。"
        : "已解决，机器人已接回对话并请顾客评价。");
      openCase(id);
      poll();
    });
  });

  // ------------------------------------------------------------------ supervisor

  function loadSupervisor() {
    api("supervisor").then(function (result) {
      if (!result.ok) return;
      var rows = $("sup-rows");
      clear(rows);
      var cases = result.data.cases || [];
      cases.forEach(function (brief) {
        briefs[brief.id] = brief;
        noteWait(brief);
        var tr = el("tr", "is-clickable");
        tr.setAttribute("data-case-id", String(brief.id));
        tr.title = "打开会话";
        tr.addEventListener("click", function () { setView("desk"); openCase(brief.id); });
        tr.appendChild(el("td", "num", "#" + brief.id));
        tr.appendChild(el("td", null, brief.customer_name || "顾客"));
        var p = el("td");
        p.appendChild(priorityBadge(brief));
        tr.appendChild(p);
        var s = el("td");
        s.appendChild(el("span", "badge badge--" + brief.status, brief.status_label));
        tr.appendChild(s);
        tr.appendChild(el("td", null, brief.agent_name || "—"));
        var wait = el("td", "num", duration(brief.status === "waiting" ? liveSeconds(brief) : brief.wait_seconds));
        if (brief.status === "waiting") { wait.setAttribute("data-wait-for", String(brief.id)); wait.setAttribute("data-counting", "1"); }
        tr.appendChild(wait);
        tr.appendChild(el("td", "num", duration(brief.open_seconds)));
        tr.appendChild(el("td", null, (brief.reasons || []).map(function (r) { return r.label; }).join("、") || "—"));
        rows.appendChild(tr);
      });
      $("sup-count").textContent = String(cases.length);
      $("sup-empty").hidden = cases.length > 0;
      var agents = $("sup-agents");
      clear(agents);
      (result.data.agents || []).forEach(function (agent) {
        var li = el("li", null, agent.display_name);
        li.appendChild(el("strong", null, agent.active_cases + " 个会话"));
        agents.appendChild(li);
      });
    });
  }

  // ------------------------------------------------------------------ start

  K.onUnauthorized = function () { showLogin("登录已失效，请重新登录。"); };
  setInterval(tickClocks, 1000);
  api("me").then(function (result) {
    if (result.ok) showApp(result.data.agent);
    else showLogin("");
  }).catch(function () { showLogin("无法连接服务器，请稍后刷新。"); });
})();
