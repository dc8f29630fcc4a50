/*
 * Agent console: the supervisors' "常用语" tab, editing the canned replies every agent picks
 * from in the composer (api/canned; the server refuses changes from anyone but a supervisor).
 */
(function () {
  "use strict";

  var K = window.KefuConsole;
  var $ = K.$, el = K.el, clear = K.clear;

  function row(reply) {
    var li = el("li", "canned-item");
    li.setAttribute("data-reply-id", String(reply.id));
    var form = el("form", "canned-edit");
    form.noValidate = true;
    var title = el("input");
    title.maxLength = 40;
    title.value = reply.title;
    title.setAttribute("aria-label", "标题");
    title.className = "canned-edit__title";
    var text = el("textarea");
    text.rows = 2;
    text.maxLength = 1000;
    text.value = reply.text;
    text.setAttribute("aria-label", "内容");
    text.className = "canned-edit__text";
    var save = el("button", "btn btn--primary btn--small", "保存");
    save.type = "submit";
    var remove = el("button", "btn btn--small", "删除");
    remove.type = "button";
    form.appendChild(title);
    form.appendChild(text);
    form.appendChild(save);
    form.appendChild(remove);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      K.api("canned/" + reply.id, { method: "PUT", body: { title: title.value, text: text.value } })
        .then(function (result) {
          if (!result.ok) { K.failed(result, "保存失败。"); return; }
          K.toast("已保存「" + result.data.reply.title + "」。");
        });
    });
    remove.addEventListener("click", function () {
      K.api("canned/" + reply.id, { method: "DELETE" }).then(function (result) {
        if (!result.ok) { K.failed(result, "删除失败。"); return; }
        K.toast("已删除。");
        load();
      });
    });
    li.appendChild(form);
    return li;
  }

  function load() {
    K.api("canned").then(function (result) {
      if (!result.ok) { K.failed(result, "无法加载常用语。"); return; }
      var list = $("canned-list"), replies = result.data.canned || [];
      clear(list);
      replies.forEach(function (reply) { list.appendChild(row(reply)); });
      $("canned-count").textContent = String(replies.length);
    });
  }

  $("canned-new").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { title: $("canned-new-title").value, text: $("canned-new-text").value };
    K.api("canned", { method: "POST", body: body }).then(function (result) {
      if (!result.ok) { K.failed(result, "添加失败。"); return; }
      $("canned-new-title").value = "";
      $("canned-new-text").value = "";
      K.toast("已添加「" + result.data.reply.title + "」。");
      load();
    });
  });

  K.onView("canned", load);
})();
