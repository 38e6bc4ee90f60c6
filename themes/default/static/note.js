/* lore: what a note page does in the browser. A classic script (it runs
   from file://), no inline handlers; everything here is optional: without
   it the contents stay a folded list, code stays selectable and diagrams
   stay their source text. */
(function () {
  'use strict';

  // The table of contents is open beside the note on wide screens and
  // folded above it on narrow ones.
  var toc = document.getElementById('toc');
  if (toc && window.matchMedia) {
    var wide = window.matchMedia('(min-width: 62rem)');
    var follow = function () { toc.open = wide.matches; };
    follow();
    if (wide.addEventListener) wide.addEventListener('change', follow);
  }

  // A copy button on every code block.
  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text, done); });
    } else {
      fallback(text, done);
    }
  }
  function fallback(text, done) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'visually-hidden';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    if (ok) done();
  }
  var blocks = document.querySelectorAll('pre.code');
  for (var i = 0; i < blocks.length; i++) {
    (function (pre) {
      var code = pre.querySelector('code') || pre;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'copy-code';
      button.textContent = 'Copy';
      button.setAttribute('aria-label', 'Copy code');
      button.addEventListener('click', function () {
        copyText(code.textContent, function () {
          button.textContent = 'Copied';
          button.classList.add('copied');
          setTimeout(function () {
            button.textContent = 'Copy';
            button.classList.remove('copied');
          }, 1600);
        });
      });
      var wrap = document.createElement('div');
      wrap.className = 'code-block';
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      wrap.appendChild(button);
    })(blocks[i]);
  }

  // Mermaid diagrams, drawn from their source by the vendored script
  // (loaded only on pages that have one). Strict: no script or click
  // handler a diagram names ever runs.
  var diagrams = document.querySelectorAll('pre.mermaid');
  if (diagrams.length && window.mermaid) {
    var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark ? 'dark' : 'default' });
    window.mermaid.run({ nodes: diagrams }).catch(function () {});
  }
})();
