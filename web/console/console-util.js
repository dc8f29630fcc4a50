/*
 * Agent console, part 1 of 3: DOM, HTTP and formatting helpers shared by console-card.js and
 * console.js (loaded in that order, no build step). Everything goes into the DOM through
 * textContent / createElement, never innerHTML: a customer typing <script> sees it printed.
 */
(function () {
  "use strict";

  var K = (window.KefuConsole = window.KefuConsole || {});

  K.EMOTION_LABELS = { angry: "生气", anxious: "焦急", neutral: "平静", satisfied: "满意", unknown: "未识别" };
  // Keys of the case summary (bot/handoff/summary.py) as the desk reads them; an unknown key is
  // shown as it is, so a new fact never breaks the card.
  K.FACT_LABELS = {
    id: "顾客编号", name: "姓名", level: "会员等级", phone: "手机",
    status: "状态", created_at: "下单时间", items: "商品", paid: "实付",
    payment_method: "支付方式", carrier: "快递", tracking_no: "运单号",
    latest_event: "最新物流", signed_at: "签收时间", open_ticket: "售后单"
  };
  // Called when the session is gone (any 401 but the login's own); console.js sets it.
  K.onUnauthorized = function () {};

  // Hooks for the tabs and the live updates (see the top of console.js): other scripts
  // register here, whatever order they load in.
  var viewHooks = {}, liveHooks = [];
  K.onView = function (name, fn) { (viewHooks[name] = viewHooks[name] || []).push(fn); };
  K.onLive = function (fn) { liveHooks.push(fn); };
  K.runViewHooks = function (name) { (viewHooks[name] || []).forEach(function (fn) { fn(); }); };
  K.runLiveHooks = function (poke) { liveHooks.forEach(function (fn) { fn(poke); }); };

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ------------------------------------------------------------------ HTTP

  function api(path, options) {
    options = options || {};
    var init = {
      method: options.method || "GET",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store"
    };
    if (options.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return fetch("api/" + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401 && path !== "login") K.onUnauthorized();
        return { status: response.status, ok: response.ok, data: data || {} };
      });
    });
  }

  function toast(message, isError) {
    var node = $("toast");
    node.textContent = message;
    node.classList.toggle("is-error", !!isError);
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { node.hidden = true; }, 3500);
  }

  function failed(result, fallback) {
    toast((result.data && result.data.message) || fallback || "操作失败，请稍后再试。", true);
  }

  // ------------------------------------------------------------------ formatting

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  // Message times in the shop's time zone (Beijing), whatever the agent's computer is set to,
  // so they match the times in the case summary and in the store's records.
  var TIME_FORMAT = null;
  try {
    TIME_FORMAT = new Intl.DateTimeFormat("zh-CN", {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
  } catch (ignored) { TIME_FORMAT = null; }

  function clockTime(at) {
    if (!at) return "";
    var d = new Date(at * 1000);
    if (TIME_FORMAT) return TIME_FORMAT.format(d);
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) {
      return (n < 10 ? "0" : "") + n;
    }).join(":");
  }

  function display(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (Array.isArray(value)) return value.map(display).join("、");
    if (typeof value === "boolean") return value ? "是" : "否";
    if (typeof value === "object") {
      return Object.keys(value).map(function (k) {
        return (K.FACT_LABELS[k] || k) + "：" + display(value[k]);
      }).join("；");
    }
    return String(value);
  }

  // The server's wait comes from the store's clock; between polls (and if that clock stands
  // still, as the demo store's does) the page keeps counting from when it first saw the case.

  function priorityBadge(brief) {
    return el("span", "badge badge--p" + brief.priority, brief.priority_label);
  }

  function firstReason(brief) {
    var reason = (brief.reasons || [])[0];
    if (!reason) return "顾客请求人工服务";
    return reason.label + (reason.detail ? "：" + reason.detail : "");
  }

  K.$ = $;
  K.el = el;
  K.clear = clear;
  K.api = api;
  K.toast = toast;
  K.failed = failed;
  K.duration = duration;
  K.clockTime = clockTime;
  K.display = display;
  K.priorityBadge = priorityBadge;
  K.firstReason = firstReason;
})();
