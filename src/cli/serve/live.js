// lore serve: reloads this tab when its page was rebuilt, applies new
// stylesheets without a reload, and shows what stopped a build over the
// page. Added to pages by `lore serve` only; never part of a built site.
(function () {
  "use strict";
  var base = document.currentScript.getAttribute("data-base") || "/";
  var overlay = null;

  // A page's file in the site folder: "/kb/tags/x/" -> "tags/x/index.html".
  function siteFile(pathname) {
    var path = decodeURIComponent(pathname);
    path = path.indexOf(base) === 0 ? path.slice(base.length) : path.replace(/^\/+/, "");
    return path === "" || path.slice(-1) === "/" ? path + "index.html" : path;
  }

  function pageFile() {
    return siteFile(location.pathname);
  }

  // The scripts the page came with: when one changes, the page reloads.
  // Not the search index's files, loaded per query, which change with
  // every note saved.
  var scripts = Array.prototype.map.call(document.querySelectorAll("script[src]"), function (s) {
    return siteFile(new URL(s.src, location.href).pathname);
  });

  function restyle() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href);
      url.searchParams.set("lore-reload", String(Date.now()));
      links[i].href = url.href;
    }
  }

  function hideProblems() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  function showProblems(problems) {
    hideProblems();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,24,.94);color:#f5f5f5;font:14px/1.5 ui-monospace,monospace";
    var title = document.createElement("h2");
    title.textContent = "lore: the site was not rebuilt cleanly";
    title.style.cssText = "color:#ff8080;font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
    overlay.appendChild(title);
    problems.forEach(function (text) {
      var item = document.createElement("pre");
      item.textContent = text;
      item.style.cssText =
        "white-space:pre-wrap;margin:0 0 1rem;padding:.75rem;border:0;" +
        "background:#2b2b33;color:#f5f5f5;font:inherit";
      overlay.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close (the page is the last good build)";
    close.addEventListener("click", hideProblems);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
  }

  var events = new EventSource("/__lore/events");
  events.addEventListener("built", function (event) {
    var changed = JSON.parse(event.data).changed;
    var page = pageFile();
    var styles = changed.length > 0 && changed.every(function (f) { return /\.css$/.test(f); });
    hideProblems();
    if (styles) restyle();
    else if (changed.indexOf(page) >= 0 || changed.some(function (f) { return scripts.indexOf(f) >= 0; }))
      location.reload();
  });
  events.addEventListener("problems", function (event) {
    showProblems(JSON.parse(event.data).problems);
  });
})();
