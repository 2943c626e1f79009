// Tiexi portal: tiny glue. htmx already sends the CSRF token (hx-headers on <body>).
document.addEventListener("htmx:responseError", function (evt) {
  var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
  var text = status === 403 ? "无权进行此操作。" : status === 404 ? "内容不存在或无权查看。" : "操作失败，请刷新页面后重试。";
  window.alert(text);
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
