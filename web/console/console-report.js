/*
 * Agent console: the supervisors' "报表" tab. One GET api/reports?period=&until= answers the
 * KPIs (computed from the database on every request, like `bot report`) and the plots as PNG
 * data URLs; the server refuses anyone but a supervisor. Text goes in through textContent only.
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var $ = K.$, el = K.el, clear = K.clear;

  function percent(value) { return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%"; }
  function minutes(value) { return value === null || value === undefined ? "—" : value.toFixed(1) + " 分钟"; }

  function kpiRows(r) {
    var c = r.containment, s = r.satisfaction, complaints = 0;
    r.complaints.forEach(function (pair) { complaints += pair[1]; });
    return [
      ["会话数（客户·日）", String(c.conversations)],
      ["机器人独立解决", c.contained + "（" + percent(c.containment_rate) + "）"],
      ["转人工", c.handed_off + "（" + percent(c.handoff_rate) + "）"],
      ["排队等待 P50 / P90", minutes(r.queue_wait.p50) + " / " + minutes(r.queue_wait.p90)],
      ["客服首次响应 P50 / P90", minutes(r.first_response.p50) + " / " + minutes(r.first_response.p90)],
      ["解决用时 P50 / P90", minutes(r.resolution.p50) + " / " + minutes(r.resolution.p90)],
      ["投诉 / 建议", complaints + " / " + r.suggestion_count],
      ["满意度平均分 / 满意率", (s.average === null ? "—" : s.average.toFixed(2)) + " / " + percent(s.satisfied_share)],
      ["待跟进（24 小时内到期 / 已逾期）", r.follow_ups_due + " / " + r.follow_ups_overdue]
    ];
  }

  function fillTable(body, rows) {
    clear(body);
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("td", "", row[0]));
      tr.appendChild(el("td", "num", row[1]));
      body.appendChild(tr);
    });
  }

  function fillList(list, items, empty) {
    clear(list);
    if (!items.length) list.appendChild(el("li", "muted", empty));
    items.forEach(function (text) { list.appendChild(el("li", "", text)); });
  }

  function render(data) {
    var r = data.report;
    $("report-title").textContent = "客服服务" + r.period.title + "（" + r.period.label + "）";
    fillTable($("report-kpis"), kpiRows(r));
    $("report-kpis").parentNode.style.maxWidth = "640px";
    var plots = $("report-plots");
    clear(plots);
    // Laid out here rather than in console.css (another tab's file): two or three plots a row.
    plots.style.display = "grid";
    plots.style.gridTemplateColumns = "repeat(auto-fill, minmax(420px, 1fr))";
    plots.style.gap = "12px";
    data.plots.forEach(function (plot) {
      var figure = el("figure", "report-plot");
      figure.style.margin = "0";
      var img = el("img");
      img.src = plot.src;
      img.alt = plot.title;
      img.width = 800;
      img.height = 450;
      img.style.maxWidth = "100%";
      img.style.height = "auto";
      figure.appendChild(img);
      figure.appendChild(el("figcaption", "muted", plot.title));
      plots.appendChild(figure);
    });
    fillList($("report-suggestions"), r.suggestions.map(function (s) { return s[0] + "：" + s[1]; }), "本期暂无建议");
    fillList($("report-unanswered"), r.unanswered.map(function (u) { return u[0] + "（" + u[1] + " 次）"; }), "本期没有没听懂的消息");
  }

  function load() {
    var query = "reports?period=" + encodeURIComponent($("report-period").value);
    if ($("report-until").value) query += "&until=" + encodeURIComponent($("report-until").value);
    $("report-status").textContent = "正在统计…";
    K.api(query).then(function (result) {
      if (!result.ok) {
        $("report-status").textContent = "";
        K.failed(result, "无法生成报表。");
        return;
      }
      $("report-status").textContent = "";
      render(result.data);
    });
  }

  $("report-form").addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });

  K.onView("report", load);
})();
