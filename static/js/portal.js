// Tiexi portal: tiny glue. htmx already sends the CSRF token (hx-headers on <body>).
// An htmx action the server refused leaves the form as it was (nothing is swapped), so what was typed is still on
// the page: say the server's own words where its error page has them (a 400 names the field or the character to
// fix), and never ask for a refresh, which would throw the typed text away.
function serverMessage(xhr) {
  try {
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var el = doc.querySelector("[data-testid=bad-request], [role=alert]");
    return el ? el.textContent.trim() : "";
  } catch (e) {
    return "";
  }
}
document.addEventListener("htmx:responseError", function (evt) {
  var xhr = evt.detail.xhr;
  var status = xhr ? xhr.status : 0;
  var kept = "您填写的内容仍保留在页面上。";
  var text = status === 403 ? "无权进行此操作。" : status === 413 ? "提交的内容过大，未作任何修改。请缩小或减少附件后重试。" : status === 404 ? "内容不存在或无权查看。" : status === 400 ? (serverMessage(xhr) || "提交的内容无法处理，未作任何修改。请检查后重试。") + kept : "操作未能完成，请稍后重试。" + kept;
  window.alert(text);
});

// The page's messages answer the request that drew the page; once an htmx action swaps in its own answer (in the
// panel it redraws), the old ones would read as news about the new action ("修改已保存" above "已送签"): drop them.
document.addEventListener("htmx:beforeSwap", function (evt) {
  if (!evt.detail.shouldSwap) return;
  document.querySelectorAll("[data-page-messages]").forEach(function (box) {
    box.remove();
  });
});

// Stars that follow the drafter's choices: a field whose input carries data-required-when='{"kind": ["request"]}'
// is starred while every named field has one of the listed values ("on" for a ticked checkbox). The server
// computes the same on load (SubmissionDraftForm.starred); this keeps the page honest while the user chooses.
(function () {
  function current(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) return "";
    if (input.type === "checkbox") return input.checked ? "on" : "";
    return input.value || "";
  }
  function refresh(form) {
    form.querySelectorAll("[data-required-when]").forEach(function (input) {
      var when = JSON.parse(input.getAttribute("data-required-when"));
      var needed = Object.keys(when).every(function (other) {
        return when[other].indexOf(current(form, other)) !== -1;
      });
      var label = form.querySelector('label[for="' + input.id + '"]');
      var star = label && label.querySelector(".rule-star");
      if (star) star.hidden = !needed;
    });
  }
  document.addEventListener("change", function (evt) {
    var form = evt.target.form;
    if (form && form.querySelector("[data-required-when]")) refresh(form);
  });
})();

// Behaviour the templates ask for with data attributes instead of inline handlers, so that the
// Content-Security-Policy can refuse every inline script (issue 12.4):
//   data-confirm="…"        on a form: ask before it submits; on a button or link: ask before it acts
//   data-print              print the page
//   data-select-on-click    select the field's text when clicked (a URL to copy)
//   data-autosubmit         submit the field's form when its value changes
// Forms that go through htmx keep hx-confirm, which htmx asks itself.
(function () {
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (evt) {
    var target = evt.target.closest ? evt.target : evt.target.parentElement;
    if (!target) return;
    var asking = target.closest("button[data-confirm], input[data-confirm], a[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
      return;
    }
    var printing = target.closest("[data-print]");
    if (printing) {
      evt.preventDefault();
      window.print();
      return;
    }
    var selecting = target.closest("[data-select-on-click]");
    if (selecting && selecting.select) selecting.select();
  }, true);
  document.addEventListener("change", function (evt) {
    var field = evt.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      if (field.form.requestSubmit) field.form.requestSubmit();
      else field.form.submit();
    }
  });
})();
