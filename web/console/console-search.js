/*
 * Agent console: search of past cases (api/search) by customer name, phone or its last four
 * digits, order number, or words from the chat. Results open read-only unless the case is the
 * agent's own; the server returns only cases this agent may read.
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var $ = K.$, el = K.el, clear = K.clear;

  function resultItem(brief) {
    var li = el("li");
    var button = el("button", "case-item");
    button.type = "button";
    button.setAttribute("data-case-id", String(brief.id));
    var top = el("div", "case-item__top");
    top.appendChild(K.priorityBadge(brief));
    top.appendChild(el("span", "case-item__name", (brief.customer_name || "顾客") + " · #" + brief.id));
    top.appendChild(el("span", "case-item__wait", brief.status_label));
    button.appendChild(top);
    button.appendChild(el("span", "case-item__reason", brief.match || K.firstReason(brief)));
    button.appendChild(el("span", "case-item__reason muted", (brief.created_at || "").replace("T", " ")));
    button.addEventListener("click", function () { K.openCase(brief.id); });
    li.appendChild(button);
    return li;
  }

  function show(cases) {
    var list = $("search-list");
    clear(list);
    cases.forEach(function (brief) { list.appendChild(resultItem(brief)); });
    $("search-count").textContent = String(cases.length);
    $("search-empty").hidden = cases.length > 0;
    $("search-section").hidden = false;
  }

  $("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = $("search-input").value.trim();
    if (!q) { $("search-section").hidden = true; return; }
    K.api("search?q=" + encodeURIComponent(q)).then(function (result) {
      if (!result.ok) { K.failed(result, "搜索失败。"); return; }
      show(result.data.cases || []);
    }, function () { K.toast("网络异常，请稍后再试。", true); });
  });

  $("search-clear").addEventListener("click", function () {
    $("search-input").value = "";
    $("search-section").hidden = true;
  });
})();
