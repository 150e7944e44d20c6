/* CD38 Myeloma Guide: the redirect pages of a static export (kb/export.py).
   An alias or old address of a page is a small page whose meta refresh goes
   on to the page itself, but a refresh drops the #section of the reader's
   link (a handout's /therapies/darzalex/#side-effects). This keeps it. */
(function () {
  "use strict";
  var link = document.querySelector("a[data-redirect]");
  if (link && window.location.hash) {
    window.location.replace(link.href.split("#")[0] + window.location.hash);
  }
})();
