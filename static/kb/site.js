/* CD38 Myeloma Guide: small progressive enhancements (issue #4).
   Every page works without this file. It is loaded with `defer` from an
   external file (no inline scripts or handlers, CSP-friendly). */
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.add("js");

  function $all(selector, root) {
    return Array.prototype.slice.call((root || doc).querySelectorAll(selector));
  }

  function announce(message) {
    var status = doc.getElementById("kb-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = doc.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "copy-buffer";
      doc.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  /* Old section ids still land: the fragment never reaches the server, so the
     page carries its map of old -> new ids (json_script "anchor-moves"). */
  var moves = {};
  var movesData = doc.getElementById("anchor-moves");
  if (movesData) {
    try { moves = JSON.parse(movesData.textContent) || {}; } catch (e) { moves = {}; }
  }
  function resolveOldAnchor() {
    if (!location.hash) return;
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (doc.getElementById(id)) return;
    var target = Object.prototype.hasOwnProperty.call(moves, id) ? moves[id] : null;
    if (target && doc.getElementById(target)) {
      location.replace("#" + encodeURIComponent(target));
    }
  }
  resolveOldAnchor();
  window.addEventListener("hashchange", resolveOldAnchor);

  /* "Copy link" beside each section's ¶ permalink. */
  function headingName(heading) {
    var clone = heading.cloneNode(true);
    $all(".headerlink, .copy-link, .glossary-def", clone).forEach(function (el) { el.remove(); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }
  $all(".article-body .headerlink").forEach(function (link) {
    var heading = link.parentNode;
    if (!heading.id) return;
    var name = headingName(heading);
    /* The heading's own words name it, not its ¶ and button (screen readers'
       list of headings stays "Blood tests", not "Blood tests ¶ Copy link"). */
    var label = doc.createElement("span");
    label.id = "kb-h-" + heading.id;
    Array.prototype.slice.call(heading.childNodes).forEach(function (node) {
      if (node !== link) label.appendChild(node);
    });
    heading.insertBefore(label, link);
    heading.setAttribute("aria-labelledby", label.id);
    link.setAttribute("aria-label", "Permalink to section: " + name);
    var button = doc.createElement("button");
    button.type = "button";
    button.className = "copy-link";
    button.textContent = "Copy link";
    button.setAttribute("aria-label", "Copy link to section: " + name);
    button.addEventListener("click", function () {
      var url = location.origin + location.pathname + "#" + heading.id;
      copyText(url).then(function () {
        button.textContent = "Copied";
        button.classList.add("is-done");
        announce("Link to \u201c" + name + "\u201d copied");
        window.setTimeout(function () {
          button.textContent = "Copy link";
          button.classList.remove("is-done");
        }, 2000);
      }, function () {
        announce("Could not copy. The link is " + url);
      });
    });
    link.insertAdjacentElement("afterend", button);
  });

  /* Buttons that copy a block of text (the "Cite this page" box). */
  $all("[data-copy-from]").forEach(function (button) {
    var source = doc.getElementById(button.getAttribute("data-copy-from"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(source.textContent.replace(/\s+/g, " ").trim()).then(function () {
        announce(button.getAttribute("data-copied") || "Copied");
      }, function () { announce("Could not copy: select the text and copy it."); });
    });
  });

  /* The retrieval date is the reader's today, even from a cached page. */
  $all("time[data-today]").forEach(function (el) {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    el.setAttribute("datetime", now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()));
    el.textContent = now.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  });

  /* Table of contents: open beside the text on wide screens, folded on narrow ones. */
  var toc = doc.querySelector("details.toc");
  if (toc && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 64em)");
    var syncToc = function () { toc.open = wide.matches; };
    syncToc();
    if (wide.addEventListener) wide.addEventListener("change", syncToc);
    toc.addEventListener("click", function (event) {
      if (!wide.matches && event.target.closest("a")) toc.open = false;
    });
  }

  /* Glossary definitions: hover and focus are CSS; here tap to open on touch
     screens (a second tap follows the link), Escape to dismiss (WCAG 1.4.13),
     and keeping the box inside the window. */
  var lastPointer = "mouse";
  doc.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; }, true);
  function closeGlossary(except) {
    $all(".glossary.is-open").forEach(function (el) {
      if (el !== except) {
        el.classList.remove("is-open");
        el.querySelector(".glossary-term").removeAttribute("aria-expanded");
      }
    });
  }
  function place(wrapper) {
    var def = wrapper.querySelector(".glossary-def");
    wrapper.classList.remove("is-flipped");
    if (!def) return;
    var box = def.getBoundingClientRect();
    if (box.right > doc.documentElement.clientWidth - 8) wrapper.classList.add("is-flipped");
  }
  doc.addEventListener("click", function (event) {
    var term = event.target.closest ? event.target.closest(".glossary-term") : null;
    if (term && lastPointer === "touch") {
      var wrapper = term.parentNode;
      if (!wrapper.classList.contains("is-open")) {
        event.preventDefault();
        closeGlossary(wrapper);
        wrapper.classList.remove("is-dismissed");
        wrapper.classList.add("is-open");
        term.setAttribute("aria-expanded", "true");
        place(wrapper);
        return;
      }
    }
    if (!event.target.closest || !event.target.closest(".glossary.is-open")) closeGlossary(null);
  });
  function reveal(event) {
    var wrapper = event.target.closest ? event.target.closest(".glossary") : null;
    if (!wrapper) return;
    wrapper.classList.remove("is-dismissed");
    place(wrapper);
  }
  doc.addEventListener("mouseover", reveal);
  doc.addEventListener("focusin", reveal);
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    $all(".glossary").forEach(function (el) {
      if (el.matches(":hover, :focus-within, .is-open")) el.classList.add("is-dismissed");
    });
    closeGlossary(null);
  });

  /* Home page map: pointing at a name highlights what it connects to. */
  var map = doc.querySelector(".kb-map");
  if (map) {
    var highlight = function (node) {
      $all(".is-linked, .is-current", map).forEach(function (el) { el.classList.remove("is-linked", "is-current"); });
      map.classList.toggle("is-active", !!node);
      if (!node) return;
      node.classList.add("is-current");
      (node.getAttribute("data-links") || "").split(" ").forEach(function (id) {
        var other = id && doc.getElementById(id);
        if (other) other.classList.add("is-linked");
      });
    };
    var onEnter = function (event) {
      var node = event.target.closest(".map-node");
      if (node) highlight(node);
    };
    map.addEventListener("mouseover", onEnter);
    map.addEventListener("focusin", onEnter);
    map.addEventListener("mouseleave", function () { highlight(null); });
    map.addEventListener("focusout", function (event) {
      if (!map.contains(event.relatedTarget)) highlight(null);
    });
  }

  /* Print: site-relative link addresses become full ones. */
  $all(".article-main a[href^='/'], .in-short a[href^='/']").forEach(function (a) {
    a.setAttribute("data-print-href", a.href);
  });

  /* Wide tables in articles scroll sideways: make them reachable by keyboard. */
  $all(".article-body table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    }
  });
})();
