// Portal pages: move keyboard and screen-reader focus to the error summary when a form comes back with problems,
// and put USWDS's file-input texts (written in English inside uswds.js) into the page's language.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, key) { return String(values[key]); });
  }
  // USWDS's English, as patterns, and the same words through Django's JavaScript catalogue (/jsi18n/).
  var FILE_INPUT_TEXTS = [
    [/^Drag (files?) here or choose from folder$/, function (m) {
      return m[1] === "file" ? gettext("Drag file here or choose from folder") : gettext("Drag files here or choose from folder");
    }],
    [/^Drag (files?) here or$/, function (m) { return m[1] === "file" ? gettext("Drag file here or") : gettext("Drag files here or"); }],
    [/^choose from folder$/, function () { return gettext("choose from folder"); }],
    [/^Choose from folder$/, function () { return gettext("Choose from folder"); }],
    [/^No (files?) selected\.$/, function (m) { return m[1] === "file" ? gettext("No file selected.") : gettext("No files selected."); }],
    [/^You have selected the file: (.*)$/, function (m) { return fill(gettext("You have selected the file: %(name)s"), { name: m[1] }); }],
    [/^You have selected (\d+) files: (.*)$/, function (m) {
      return fill(ngettext("You have selected %(count)s file: %(names)s", "You have selected %(count)s files: %(names)s",
        Number(m[1])), { count: m[1], names: m[2] });
    }],
    [/^Selected file $/, function () { return gettext("Selected file") + " "; }],
    [/^(\d+) files selected $/, function (m) {
      return fill(ngettext("%(count)s file selected", "%(count)s files selected", Number(m[1])), { count: m[1] }) + " ";
    }],
    [/^Change file$/, function () { return gettext("Change file"); }],
    [/^Change files$/, function () { return gettext("Change files"); }],
    [/^Error: This is not a valid file type\.(.*)$/, function (m) { return gettext("Error: This is not a valid file type.") + m[1]; }]
  ];
  function translated(text) {
    for (var i = 0; i < FILE_INPUT_TEXTS.length; i++) {
      var match = FILE_INPUT_TEXTS[i][0].exec(text);
      if (match) { return FILE_INPUT_TEXTS[i][1](match); }
    }
    return null;
  }
  function translateFileInput(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var text = translated(node.nodeValue);
      if (text !== null && text !== node.nodeValue) { node.nodeValue = text; }
    }
    root.querySelectorAll("[aria-label]").forEach(function (el) {
      var label = translated(el.getAttribute("aria-label"));
      if (label !== null && label !== el.getAttribute("aria-label")) { el.setAttribute("aria-label", label); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    if ((document.documentElement.lang || "en").split("-")[0] === "en") { return; }
    document.querySelectorAll("input[type=file]").forEach(function (input) {
      var box = input.closest(".usa-form-group") || input.parentNode;
      translateFileInput(box);
      new MutationObserver(function () { translateFileInput(box); })
        .observe(box, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["aria-label"] });
    });
  });
})();
