/*
 * Agent console: the "售后审核" tab. Pending after-sale tickets with the request, the order and
 * customer facts, the photos and the handbook rule; approve or reject with a reason
 * (api/tickets, api/tickets/<no>/decision). The customer is told by the server, live or on
 * their next visit; the reason written here is what they read.
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var $ = K.$, el = K.el, clear = K.clear;

  function facts(pairs) {
    var dl = el("dl", "facts");
    pairs.forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined || pair[1] === "") return;
      dl.appendChild(el("dt", null, pair[0]));
      dl.appendChild(el("dd", null, pair[1]));
    });
    return dl;
  }

  function decide(ticket, decision, reason) {
    var body = { decision: decision, reason: reason };
    K.api("tickets/" + encodeURIComponent(ticket.ticket_no) + "/decision", { method: "POST", body: body })
      .then(function (result) {
        if (!result.ok) { K.failed(result, "操作失败，请刷新后再试。"); return; }
        K.toast("售后单 " + result.data.ticket_no + " 已" + (decision === "approve" ? "通过" : "拒绝") + "，已通知顾客。");
        load();
      });
  }

  function card(ticket) {
    var li = el("li", "panel ticket");
    li.setAttribute("data-ticket-no", ticket.ticket_no);
    var title = el("h3", "panel__title");
    title.appendChild(el("span", "badge badge--waiting", ticket.status));
    title.appendChild(el("span", null, ticket.ticket_no + " · " + ticket.type + " · " + ticket.reason));
    li.appendChild(title);
    var item = ticket.item;
    li.appendChild(facts([
      ["申请", ticket.description],
      ["退款金额", ticket.refund],
      ["申请时间", ticket.created_at],
      ["商品", item ? item.name + (item.spec ? "（" + item.spec + "）" : "") + " ×" + item.qty + " " + item.price : ""],
      ["订单", ticket.order.order_no + " · " + ticket.order.status + " · 实付 " + ticket.order.paid],
      ["签收", ticket.order.signed_at ? ticket.order.signed_at + "（" + ticket.order.signed_days + " 天前）" : "未签收"],
      ["顾客", ticket.customer.name + " · " + ticket.customer.phone + " · " + ticket.customer.level],
      ["照片", ticket.photos],
      ["适用规则", ticket.rule]
    ]));
    if (ticket.events.length) {
      var history = el("ul", "muted");
      ticket.events.forEach(function (e) {
        history.appendChild(el("li", null, e.at + " " + e.label + "（" + e.actor + "）" + (e.detail ? "：" + e.detail : "")));
      });
      li.appendChild(history);
    }
    var form = el("form", "canned-edit");
    form.noValidate = true;
    var reason = el("textarea");
    reason.rows = 2;
    reason.maxLength = 300;
    reason.placeholder = "理由或备注（顾客会看到；拒绝时必填）";
    reason.setAttribute("aria-label", "理由");
    var approve = el("button", "btn btn--success btn--small", "通过");
    approve.type = "button";
    var reject = el("button", "btn btn--ghost btn--small", "拒绝");
    reject.type = "button";
    approve.addEventListener("click", function () { decide(ticket, "approve", reason.value); });
    reject.addEventListener("click", function () { decide(ticket, "reject", reason.value); });
    form.appendChild(reason);
    form.appendChild(approve);
    form.appendChild(reject);
    li.appendChild(form);
    return li;
  }

  function load() {
    K.api("tickets").then(function (result) {
      if (!result.ok) { K.failed(result, "无法加载售后单。"); return; }
      var list = $("tickets-list"), tickets = result.data.tickets || [];
      clear(list);
      tickets.forEach(function (ticket) { list.appendChild(card(ticket)); });
      $("tickets-count").textContent = String(tickets.length);
      $("tickets-empty").hidden = tickets.length > 0;
    });
  }

  K.onView("tickets", load);
})();
