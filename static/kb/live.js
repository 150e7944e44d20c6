// Development only (kb/live.py): reload this page when content/ has been
// loaded again, so an editor sees a saved file without pressing reload.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var url = script.getAttribute("data-version-url");
  var shown = script.getAttribute("data-version");
  function poll() {
    fetch(url, {cache: "no-store", credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.watching) return;  // no watcher in this server: stop asking
        if (String(data.version) !== shown) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      }, function () { window.setTimeout(poll, 3000); });  // server restarting
  }
  window.setTimeout(poll, 1000);
})();
