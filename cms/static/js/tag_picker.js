// The tag picker: select2 (Flask-Admin's copy, 3.5) on <input type="hidden" data-tag-picker>,
// searching the app's tag lookup (data-lookup-url) as one types. Each tag picked is sent as
// its slug; where the person may make tags (data-may-create="1"), a name no tag has is
// offered as a new tag and sent as "+" and the name (cms/tags/picking.py reads them).
// Wired from data attributes, as the Content-Security-Policy runs no inline script.
(function ($) {
  "use strict";

  function sameName(results, term) {
    var wanted = term.toLowerCase();
    return $.grep(results, function (result) {
      return result.text.toLowerCase() === wanted;
    }).length > 0;
  }

  function setUp(input) {
    var $input = $(input);
    var multiple = $input.attr("data-tag-picker") === "multiple";
    var mayCreate = $input.attr("data-may-create") === "1";
    var options = {
      width: "100%",
      multiple: multiple,
      allowClear: !multiple,
      placeholder: $input.attr("data-placeholder") || "",
      ajax: {
        url: $input.attr("data-lookup-url"),
        dataType: "json",
        quietMillis: 150,
        data: function (term) { return { q: term }; },
        results: function (tags) { return { results: tags }; }
      },
      initSelection: function (element, callback) {
        var chosen = JSON.parse($input.attr("data-chosen") || "[]");
        callback(multiple ? chosen : (chosen[0] || null));
      },
      formatNoMatches: function () {
        return mayCreate ? "No tag has this name yet" : "No tag has this name";
      }
    };
    if (mayCreate) {
      options.createSearchChoice = function (term, results) {
        term = $.trim(term);
        // Commas separate tags; a name some tag has is that tag, not a new one.
        if (!term || term.indexOf(",") !== -1 || sameName(results, term)) return null;
        return { id: "+" + term, text: term + " (new)" };
      };
    }
    $input.select2(options);
  }

  $("input[data-tag-picker]").each(function () { setUp(this); });
})(window.jQuery);
