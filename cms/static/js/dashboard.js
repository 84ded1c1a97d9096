// The dashboard's own behaviour, wired by data attributes: the Content-Security-Policy runs
// no inline event handler (cms/headers.py), so Flask-Admin's onclick="..." attributes are
// replaced in our copies of its templates by what this file reads.
(function () {
  "use strict";

  // Flask-Admin writes placeholder links as href="javascript:void(0)" (tabs, pager, menus).
  // Following one is running an inline script, which the policy refuses: don't follow them.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="javascript:"]');
    if (link) event.preventDefault();
  }, true);

  // <form data-confirm="Question?">: submitted only once the question is answered yes.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // "With selected" menu: <a data-bulk-action="name"> runs Flask-Admin's bulk action.
  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("[data-bulk-action]");
    if (!item) return;
    event.preventDefault();
    window.modelActions.execute(item.getAttribute("data-bulk-action"));
  });
})();
