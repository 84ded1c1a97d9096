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

  // select2 draws a "remove" link (an x, no text) on each chosen item of a multiple choice
  // box (a user's roles): name it after its item, or screen readers announce a nameless
  // link. select2 draws them whenever the choice changes, hence the observer.
  function nameRemoveLinks() {
    var links = document.querySelectorAll(".select2-search-choice-close:not([aria-label])");
    Array.prototype.forEach.call(links, function (link) {
      link.setAttribute("aria-label", "Remove " + link.parentNode.textContent.trim());
    });
  }
  nameRemoveLinks();
  new MutationObserver(nameRemoveLinks).observe(document.body, { childList: true, subtree: true });
})();
