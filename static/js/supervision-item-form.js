// The item form shows the rectification / proposal sections only for the sources that need them
// (moved out of templates/supervision/item_form.html for the Content-Security-Policy, issue 12.4).
(function () {
  var select = document.getElementById("id_source");
  if (!select) { return; }
  var sections = document.querySelectorAll("[data-source-section]");
  function sync() {
    sections.forEach(function (el) {
      var wanted = el.getAttribute("data-source-section").split(" ");
      var invalid = el.querySelector(".is-invalid, .invalid-feedback");
      el.hidden = wanted.indexOf(select.value) < 0 && !invalid;
    });
  }
  select.addEventListener("change", sync);
  sync();
})();
