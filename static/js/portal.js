// Tiexi portal: tiny glue. htmx already sends the CSRF token (hx-headers on <body>).
document.addEventListener("htmx:responseError", function (evt) {
  var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
  var text = status === 403 ? "无权进行此操作。" : status === 404 ? "内容不存在或无权查看。" : "操作失败，请刷新页面后重试。";
  window.alert(text);
});
