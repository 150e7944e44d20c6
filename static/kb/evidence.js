/* Evidence pages, progressively enhanced (issue #6). Without this file
   everything works through plain links and GET forms; with it:
   - the evidence page filters as soon as a choice changes, and sorts when a
     column heading is chosen, without reloading: it fetches the same URL the
     link or form would open and swaps in the results, so the server stays the
     one place that filters and sorts, and the address stays shareable;
   - the knowledge map lights up a node's links on hover or focus. */
(function () {
  "use strict";

  function enhanceEvidence() {
    var form = document.querySelector("[data-ev-filter]");
    var results = document.querySelector("[data-ev-results]");
    var announce = document.querySelector("[data-ev-announce]");
    if (!form || !results || !window.fetch || !window.DOMParser || !history.pushState) return;

    function formUrl() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (value) params.append(name, value);
      });
      var query = params.toString();
      return form.getAttribute("action").split("#")[0] + (query ? "?" + query : "");
    }

    function show(url, push, focusKey) {
      results.setAttribute("aria-busy", "true");
      return fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-ev-results]");
          var freshForm = doc.querySelector("[data-ev-filter]");
          if (!fresh || !freshForm) throw new Error("unexpected page");
          results.innerHTML = fresh.innerHTML;
          // Keep the form's hidden sort and its error messages in step, but
          // leave the selects alone so focus stays where the reader is.
          var sort = form.querySelector("input[name=sort]");
          var freshSort = freshForm.querySelector("input[name=sort]");
          if (sort && freshSort) sort.value = freshSort.value;
          if (push) history.pushState({ evidence: true }, "", url);
          var status = results.querySelector("[data-ev-status]");
          if (announce && status) announce.textContent = status.textContent;
          if (focusKey) {
            var link = results.querySelector('[data-ev-sort="' + focusKey + '"]');
            if (link) link.focus();
          }
        })
        .catch(function () { window.location.href = url; })
        .then(function () { results.removeAttribute("aria-busy"); });
    }

    form.addEventListener("change", function (event) {
      if (event.target.matches("select")) show(formUrl(), true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show(formUrl(), true);
    });
    results.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-ev-sort]");
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      show(link.href, true, link.getAttribute("data-ev-sort"));
    });
    window.addEventListener("popstate", function () {
      var params = new URLSearchParams(window.location.search);
      form.querySelectorAll("select").forEach(function (select) {
        select.value = params.get(select.name) || "";
      });
      show(window.location.href, false);
    });
  }

  function enhanceMaps() {
    document.querySelectorAll("[data-ev-map]").forEach(function (figure) {
      var edges = figure.querySelectorAll(".ev-edge");
      function trace(key) {
        var lit = {};
        lit[key] = true;
        edges.forEach(function (edge) {
          var on = edge.getAttribute("data-from") === key || edge.getAttribute("data-to") === key;
          edge.classList.toggle("is-lit", on);
          if (on) {
            lit[edge.getAttribute("data-from")] = true;
            lit[edge.getAttribute("data-to")] = true;
          }
        });
        figure.querySelectorAll(".ev-node").forEach(function (node) {
          node.classList.toggle("is-lit", !!lit[node.getAttribute("data-key")]);
        });
        figure.classList.add("is-tracing");
      }
      function clear() { figure.classList.remove("is-tracing"); }
      figure.querySelectorAll(".ev-links a[data-key]").forEach(function (link) {
        link.addEventListener("mouseenter", function () { trace(link.getAttribute("data-key")); });
        link.addEventListener("mouseleave", clear);
      });
    });
  }

  enhanceEvidence();
  enhanceMaps();
})();
