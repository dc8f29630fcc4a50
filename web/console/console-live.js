/*
 * Agent console, live part: the socket.io connection that pushes the desk's news, and the
 * sound and desktop notification an agent gets for a new queued chat or a message in their
 * chat. Loaded after socket.io-4.7.5.min.js (served from this folder, no CDN) and before
 * console.js, which calls KefuConsole.live.start(onPoke) after login.
 *
 * The server sends pokes, never case data: {kind, case_id, status, agent_id}
 * (bot/handoff/console/live.py); kind customer_typing drives the "顾客正在输入" note, and the
 * agent's own typing goes the other way as a "typing" event. The session cookie does not reach /socket.io/, so each
 * (re)connection first fetches a one-minute ticket from api/live-ticket.
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var live = (K.live = { socket: null, connected: false, audio: null });

  // The customer widget's socket.io server, at the site root: /socket.io/ next to /webhooks/.
  function socketPath() {
    var path = window.location.pathname, at = path.indexOf("/webhooks/");
    return (at >= 0 ? path.slice(0, at) : "") + "/socket.io/";
  }

  function setOnline(online) {
    live.connected = online;
    var badge = K.$("live-status");
    badge.classList.toggle("is-offline", !online);
    badge.title = online ? "实时推送已连接" : "实时推送已断开，每 15 秒刷新一次";
  }

  live.start = function (onPoke, onConnect) {
    live.stop();
    if (typeof window.io !== "function") { setOnline(false); return; }
    var socket = window.io("/console", {
      path: socketPath(),
      // Called on every (re)connection: a fresh ticket each time.
      auth: function (give) {
        K.api("live-ticket", { method: "POST", body: {} }).then(function (result) {
          give({ ticket: result.ok ? result.data.ticket : "" });
        }, function () { give({ ticket: "" }); });
      }
    });
    socket.on("connect", function () { setOnline(true); if (onConnect) onConnect(); });
    socket.on("disconnect", function () { setOnline(false); });
    socket.on("connect_error", function () { setOnline(false); });
    socket.on("desk", function (poke) {
      if (poke && typeof poke.case_id === "number") onPoke(poke);
    });
    live.socket = socket;
  };

  live.stop = function () {
    if (live.socket) live.socket.close();
    live.socket = null;
    live.connected = false;
  };

  // ------------------------------------------------------------------ typing, both ways

  var TYPING_EVERY_MS = 3000, TYPING_SHOWN_MS = 4000;

  // The agent types into a chat they hold: the server tells the customer's widget.
  live.typing = function (caseId) {
    var now = Date.now();
    if (!live.socket || !live.connected || now - (live.typedAt || 0) < TYPING_EVERY_MS) return;
    live.typedAt = now;
    live.socket.emit("typing", { case_id: caseId });
  };

  // The customer types (a customer_typing poke for the open case): a note above the composer.
  live.showCustomerTyping = function () {
    var note = K.$("typing-note");
    note.hidden = false;
    clearTimeout(live.typingTimer);
    live.typingTimer = setTimeout(function () { note.hidden = true; }, TYPING_SHOWN_MS);
  };

  // ------------------------------------------------------------------ alerts

  // A short two-tone chime made with WebAudio: no sound file to ship or to cache.
  function chime() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      live.audio = live.audio || new Context();
      var ctx = live.audio, start = ctx.currentTime;
      [880, 1320].forEach(function (frequency, i) {
        var osc = ctx.createOscillator(), gain = ctx.createGain(), at = start + i * 0.16;
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.12, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + 0.3);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(at);
        osc.stop(at + 0.3);
      });
    } catch (ignored) { /* no audio device: the notification and the list still show it */ }
  }

  live.notificationsAllowed = function () {
    return "Notification" in window && window.Notification.permission === "granted";
  };

  // Asked from a click (browsers allow the prompt only then): the login button or the bell.
  live.askPermission = function () {
    if (!("Notification" in window) || window.Notification.permission !== "default") return;
    var asked = window.Notification.requestPermission(function () { live.showBell(); });
    if (asked && asked.then) asked.then(function () { live.showBell(); });
  };

  live.showBell = function () {
    K.$("notify-btn").hidden = !("Notification" in window) || window.Notification.permission !== "default";
  };

  // Sound always; a desktop notification when the agent is not looking at the page.
  live.alert = function (title, body, caseId, onClick) {
    chime();
    if (!live.notificationsAllowed() || document.visibilityState === "visible" && document.hasFocus()) return;
    try {
      var note = new window.Notification(title, { body: body, tag: "kefu-case-" + caseId, icon: "static/console-icon.svg" });
      note.onclick = function () { window.focus(); if (onClick) onClick(); note.close(); };
    } catch (ignored) { /* e.g. notifications blocked by policy */ }
  };
})();
