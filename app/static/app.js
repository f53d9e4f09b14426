// Behaviour every page shares; pages carry no inline handlers (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  // A form with data-confirm asks before it is sent: a press that removes something says so first.
  document.addEventListener("submit", function (e) {
    var question = e.target.dataset ? e.target.dataset.confirm : null;
    if (question && !window.confirm(question)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
})();
