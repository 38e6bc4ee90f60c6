/* lore: what a note page does in the browser. A classic script (it runs
   from file://), no inline handlers; everything here is optional: without
   it there is no table of contents and headings have no link to
   themselves (their ids still take #fragment links), the neighbourhood
   graph is not drawn (its notes are all listed on the page), code stays
   selectable and diagrams stay their source text. */
(function () {
  'use strict';

  // The table of contents, made from the note's headings where the page
  // puts it (a note with enough headings), is open beside the note on wide
  // screens and folded above it on narrow ones.
  var toc = document.getElementById('toc');
  if (toc && !toc.querySelector('nav')) contents(toc);
  if (toc && window.matchMedia) {
    var wide = window.matchMedia('(min-width: 62rem)');
    var follow = function () { toc.open = wide.matches; };
    follow();
    if (wide.addEventListener) wide.addEventListener('change', follow);
  }

  function contents(box) {
    var heads = document.querySelectorAll('.note .content :is(h2, h3, h4, h5, h6)[id]');
    if (!heads.length) return;
    if (!box.querySelector('summary')) {
      var summary = box.appendChild(document.createElement('summary'));
      summary.id = 'toc-heading';
      summary.textContent = 'Contents';
    }
    var nav = box.appendChild(document.createElement('nav'));
    nav.setAttribute('aria-labelledby', 'toc-heading');
    var list = nav.appendChild(document.createElement('ol'));
    for (var i = 0; i < heads.length; i++) {
      var li = list.appendChild(document.createElement('li')), a = li.appendChild(document.createElement('a'));
      if (heads[i].tagName !== 'H2') li.className = 'toc-l' + heads[i].tagName.charAt(1);
      a.href = '#' + heads[i].id;
      a.textContent = heads[i].textContent.replace(/\s+/g, ' ').trim();
    }
    box.hidden = false;
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

  // A link to itself after every heading of the note, shown on hover.
  var heads = document.querySelectorAll('.note .content :is(h2, h3, h4, h5, h6)[id]');
  for (var h = 0; h < heads.length; h++) {
    var link = document.createElement('a');
    link.className = 'anchor';
    link.href = '#' + heads[h].id;
    link.setAttribute('aria-label', 'Link to this section');
    heads[h].appendChild(link);
  }

  var holder = document.getElementById('note-graph');
  if (holder && window.URL) drawNeighbourhood(holder);

  // The notes around this one, from the page: those its text links to,
  // its backlinks and its related notes, closest ties first (at most 16,
  // as the build chose them), in a ring around it; `data-between` pairs
  // the neighbours that link each other.
  function drawNeighbourhood(holder) {
    var root = new URL(document.body.getAttribute('data-root') || '', document.baseURI).href;
    var here = location.href.split('#')[0].split('?')[0];
    var RANK = { 'tie-mutual': 0, 'tie-out': 1, 'tie-in': 2, 'tie-related': 3 };
    var found = {}, order = [];
    function note(a) {
      var url;
      try { url = new URL(a.getAttribute('href'), document.baseURI); } catch (e) { return null; }
      var page = url.href.split('#')[0].split('?')[0];
      if (page === here || page.indexOf(root) !== 0) return null;
      var rel;
      try { rel = decodeURIComponent(page.slice(root.length)); } catch (e) { return null; }
      // The link as written (relative, so the page works from any folder).
      var href = a.getAttribute('href').split('#')[0].split('?')[0];
      return /^notes\/[^/]+\.html$/.test(rel) ? { rel: rel, href: href } : null;
    }
    function take(links, tie, named) {
      for (var i = 0; i < links.length; i++) {
        var n = note(links[i]);
        if (!n) continue;
        var title = links[i].textContent.replace(/\s+/g, ' ').trim();
        var had = found[n.rel];
        if (!had) {
          found[n.rel] = had = { rel: n.rel, href: n.href, title: title, tie: tie };
          order.push(had);
        } else if (had.tie === 'tie-out' && tie === 'tie-in') {
          had.tie = 'tie-mutual';
        }
        if (named) had.title = title;
      }
    }
    function list(id) {
      var box = document.querySelector('.note-links[aria-labelledby="' + id + '"]');
      return box ? box.querySelectorAll('li > a') : [];
    }
    take(document.querySelectorAll('.note .content a[href]'), 'tie-out', false);
    take(list('backlinks-heading'), 'tie-in', true);
    take(list('related-heading'), 'tie-related', true);
    var around = order.map(function (n, i) { n.at = i; return n; }).sort(function (a, b) {
      return RANK[a.tie] - RANK[b.tie] || a.at - b.at;
    }).slice(0, 16);
    if (!around.length) return;
    var between = [];
    try { between = JSON.parse(holder.getAttribute('data-between') || '[]'); } catch (e) { between = []; }
    var title = (document.getElementById('note-title') || {}).textContent || document.title;
    holder.appendChild(svgOf(title.trim(), around, between));
    var key = holder.appendChild(document.createElement('ul'));
    key.className = 'graph-legend';
    key.setAttribute('aria-label', 'Key');
    [['tie-mutual', 'links both ways'], ['tie-out', 'linked from here'], ['tie-in', 'links here'],
      ['tie-related', 'related']].forEach(function (t) {
      if (!around.some(function (n) { return n.tie === t[0]; })) return;
      var li = key.appendChild(document.createElement('li')), mark = li.appendChild(document.createElement('span'));
      mark.className = 'key ' + t[0];
      mark.setAttribute('aria-hidden', 'true');
      li.appendChild(document.createTextNode(t[1]));
    });
    var all = holder.getAttribute('data-all');
    if (all) {
      var more = holder.appendChild(document.createElement('p')), link = more.appendChild(document.createElement('a'));
      more.className = 'more';
      link.href = all;
      link.textContent = 'Graph of all notes';
    }
    var heading = document.createElement('h2');
    heading.id = 'graph-heading';
    heading.textContent = 'Neighbourhood';
    holder.insertBefore(heading, holder.firstChild);
    holder.setAttribute('role', 'region');
    holder.setAttribute('aria-labelledby', 'graph-heading');
    holder.hidden = false;
  }

  // The drawing: the note in the middle, its neighbours on an ellipse
  // (grouped by tie), a line to each and between neighbours that link;
  // every neighbour a link named by its title.
  function svgOf(title, around, between) {
    var NS = 'http://www.w3.org/2000/svg', W = 340, n = around.length;
    var H = Math.max(26 * Math.ceil(n / 2) + 70, 190), cx = W / 2, cy = H / 2, rx = 62, ry = H / 2 - 30;
    function make(tag, attrs, parent, text) {
      var e = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      if (text !== undefined) e.textContent = text;
      return parent ? parent.appendChild(e) : e;
    }
    var r = function (x) { return String(Math.round(x)); };
    var at = around.map(function (nb, i) {
      var a = -Math.PI / 2 + 2 * Math.PI * i / n;
      return [cx + Math.cos(a) * rx, cy + Math.sin(a) * ry];
    });
    var counts = [['tie-mutual', 'linked both ways'], ['tie-out', 'it links to'], ['tie-in', 'linking to it'],
      ['tie-related', 'related']].map(function (t) {
      var c = around.filter(function (nb) { return nb.tie === t[0]; }).length;
      return c ? c + ' ' + t[1] : '';
    }).filter(Boolean);
    var svg = make('svg', { 'class': 'graph graph-local', viewBox: '0 0 ' + W + ' ' + r(H), width: W, height: r(H),
      'aria-labelledby': 'local-graph-title local-graph-desc' });
    make('title', { id: 'local-graph-title' }, svg, 'Notes around ' + title);
    make('desc', { id: 'local-graph-desc' }, svg, 'Notes: ' + counts.join(', '));
    var edges = make('g', { 'class': 'edges' }, svg), nodes = make('g', { 'class': 'nodes' }, svg);
    var index = {};
    around.forEach(function (nb, i) { index[nb.rel] = i; });
    function line(cls, p, q) {
      make('line', { 'class': cls, x1: r(p[0]), y1: r(p[1]), x2: r(q[0]), y2: r(q[1]) }, edges);
    }
    between.forEach(function (pair) {
      var a = index[pair[0]], b = index[pair[1]];
      if (a !== undefined && b !== undefined) line('edge edge-between', at[a], at[b]);
    });
    around.forEach(function (nb, i) {
      var x = at[i][0], y = at[i][1], dx = x - cx, anchor = 'middle', tx = x, ty = y < cy ? y - 11 : y + 19;
      if (Math.abs(dx) >= 8) { anchor = dx > 0 ? 'start' : 'end'; tx = dx > 0 ? x + 10 : x - 10; ty = y + 4; }
      line('edge ' + nb.tie, [cx, cy], at[i]);
      var a = make('a', { href: nb.href, 'class': 'node ' + nb.tie }, nodes);
      make('title', {}, a, nb.title);
      make('circle', { cx: r(x), cy: r(y), r: 6 }, a);
      make('text', { x: r(tx), y: r(ty), 'text-anchor': anchor }, a, shorten(nb.title, 17));
    });
    var me = make('g', { 'class': 'node node-self' }, nodes);
    make('circle', { cx: r(cx), cy: r(cy), r: 8 }, me);
    make('text', { x: r(cx), y: r(cy + 22), 'text-anchor': 'middle' }, me, shorten(title, 21));
    return svg;
  }

  // A title cut to `max` characters, at a word when it can be.
  function shorten(text, max) {
    var chars = Array.from(text);
    if (chars.length <= max) return text;
    var cut = chars.slice(0, max - 1).join(''), space = cut.lastIndexOf(' ');
    if (space > cut.length / 2) cut = cut.slice(0, space);
    return cut.replace(/\s+$/, '') + '\u2026';
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
