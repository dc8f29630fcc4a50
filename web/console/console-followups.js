/*
 * Agent console: the "跟进" tab. Every open promise to a customer (物流核实, 催发货, 下班后回电,
 * 售后审核, 低分回访) by due time, overdue first (api/followups). Closing one sends the customer
 * the outcome written here (api/followups/<id>/close).
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var $ = K.$, el = K.el, clear = K.clear;
  var URGENCY = { overdue: ["已逾期", "badge--p3"], due: ["今日到期", "badge--waiting"], later: ["未到期", "badge--resolved"] };

  function row(item) {
    var tr = el("tr");
    tr.setAttribute("data-follow-up-id", String(item.id));
    var urgency = URGENCY[item.urgency] || [item.urgency, ""];
    var badge = el("td");
    badge.appendChild(el("span", "badge " + urgency[1], urgency[0]));
    tr.appendChild(badge);
    tr.appendChild(el("td", "num", item.due_at));
    tr.appendChild(el("td", null, item.kind_label));
    tr.appendChild(el("td", null, [item.customer, item.order_no].filter(Boolean).join(" · ") || "匿名顾客"));
    tr.appendChild(el("td", null, item.promise));
    tr.appendChild(el("td", null, item.owner_label));
    var cell = el("td");
    var form = el("form", "canned-edit");
    form.noValidate = true;
    var outcome = el("input");
    outcome.maxLength = 500;
    outcome.placeholder = "处理结果（发给顾客）";
    outcome.setAttribute("aria-label", "处理结果");
    var close = el("button", "btn btn--primary btn--small", "关闭并告知顾客");
    close.type = "submit";
    form.appendChild(outcome);
    form.appendChild(close);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      K.api("followups/" + item.id + "/close", { method: "POST", body: { outcome: outcome.value } })
        .then(function (result) {
          if (!result.ok) { K.failed(result, "关闭失败。"); return; }
          K.toast("已关闭，处理结果已发给顾客。");
          load();
        });
    });
    cell.appendChild(form);
    tr.appendChild(cell);
    return tr;
  }

  function load() {
    K.api("followups").then(function (result) {
      if (!result.ok) { K.failed(result, "无法加载跟进事项。"); return; }
      var rows = $("followups-rows"), items = result.data.followups || [];
      clear(rows);
      items.forEach(function (item) { rows.appendChild(row(item)); });
      $("followups-count").textContent = String(items.length);
      $("followups-summary").textContent =
        "已逾期 " + result.data.overdue + " 条，今日到期 " + result.data.due + " 条（按店铺时间 " + result.data.now + "）";
      $("followups-empty").hidden = items.length > 0;
    });
  }

  K.onView("followups", load);
})();
