/* lore search: loads search-index.js (a classic script setting window.LORE_SEARCH,
   so it works from file://, where fetch is blocked) on first use. */
(function () {
  'use strict';
  var $ = document.getElementById.bind(document);
  var input = $('search-input'), panel = $('search-panel'), list = $('search-results'), status = $('search-status');
  if (!input || !panel || !list || !status) return;
  var box = input.closest('[role="search"]') || input.parentNode;
  var root = document.body.getAttribute('data-root') || '';
  var SHOW = 20, EXPAND = 50, LONGEST = 40, PREFIX_WEIGHT = 0.75, TITLE_BONUS = 200;
  // Words are what Rust's char::is_alphanumeric keeps, as in the index.
  var W = '[\\p{Alphabetic}\\p{N}]+', SPLIT = new RegExp('[^' + W.slice(1), 'u'), WORD = new RegExp(W, 'gu');
  var index, lookup, titles;
  var state = 0; // 0 not loaded, 1 loading, 2 ready, 3 failed
  var timer = 0, sel = -1, go = false; // go: Enter was pressed while loading

  function tokens(text) {
    return text.split(SPLIT).filter(function (t) {
      return t && Array.from(t).length <= LONGEST;
    }).map(function (t) { return t.toLowerCase(); });
  }

  function load() {
    if (state === 1 || state === 2) return;
    if (window.LORE_SEARCH) return ready();
    state = 1;
    var s = document.createElement('script');
    s.src = root + 'search-index.js';
    s.onload = ready;
    s.onerror = function () { state = 3; s.remove(); update(); };
    document.head.appendChild(s);
  }

  function ready() {
    var d = window.LORE_SEARCH;
    if (!d || !d.docs || !d.terms || !d.postings) { state = 3; return update(); }
    index = d;
    lookup = new Map();
    d.terms.forEach(function (t, i) { lookup.set(t, i); });
    titles = d.docs.map(function (doc) { return String(doc[0]).toLowerCase(); });
    state = 2;
    if (!panel.hidden || go) update();
    if (go) follow();
  }

  // Ids of the terms longer than `p` that start with it, most common first.
  function expand(p) {
    var terms = index.terms, found = [], i = 0, hi = terms.length;
    if (!/[\ud800-\uffff]/.test(p)) {
      // Below U+D800, JS string order is Rust's byte order: binary search.
      while (i < hi) {
        var mid = (i + hi) >> 1;
        if (terms[mid] < p) i = mid + 1; else hi = mid;
      }
      for (; i < terms.length && terms[i].startsWith(p); i++) if (terms[i] !== p) found.push(i);
    } else {
      for (; i < terms.length; i++) if (terms[i] !== p && terms[i].startsWith(p)) found.push(i);
    }
    if (found.length > EXPAND) {
      found.sort(function (a, b) { return index.postings[b].length - index.postings[a].length || a - b; });
      found.length = EXPAND;
    }
    return found;
  }

  function search(q) {
    var words = tokens(q), raw = q.trim().toLowerCase(), acc = new Map();
    var uniq = words.filter(function (t, i) { return words.indexOf(t) === i; });
    // The last word may be unfinished, unless the query ends after it.
    var prefix = words.length && !SPLIT.test(Array.from(q).pop()) ? words[words.length - 1] : '';
    function hit(d) {
      var a = acc.get(d);
      if (!a) acc.set(d, a = { d: d, s: 0, n: 0 });
      return a;
    }
    uniq.forEach(function (t) {
      var best = new Map(); // doc -> its best score for this word
      function add(id, w) {
        for (var p = index.postings[id], j = 0; j + 1 < p.length; j += 2) {
          if (!(best.get(p[j]) >= p[j + 1] * w)) best.set(p[j], p[j + 1] * w);
        }
      }
      if (lookup.has(t)) add(lookup.get(t), 1);
      if (t === prefix) expand(t).forEach(function (k) { add(k, PREFIX_WEIGHT); });
      best.forEach(function (s, d) { var a = hit(d); a.s += s; a.n++; });
    });
    if (raw.length >= 3 || (raw && !uniq.length)) {
      titles.forEach(function (title, d) {
        if (title.indexOf(raw) < 0) return;
        var a = hit(d);
        a.s += TITLE_BONUS;
        a.n = uniq.length;
      });
    }
    var found = Array.from(acc.values()).sort(function (a, b) {
      return b.n - a.n || b.s - a.s || a.d - b.d;
    });
    return { found: found, words: uniq, prefix: prefix };
  }

  function el(tag, cls) {
    var e = document.createElement(tag);
    e.className = cls || '';
    return e;
  }

  // Appends `text` to `into`, the words the query matched in <mark>.
  function fill(into, text, res) {
    var at = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      var w = m[0].toLowerCase();
      if (res.words.indexOf(w) < 0 && !(res.prefix && w.startsWith(res.prefix))) continue;
      into.append(text.slice(at, m.index), el('mark'));
      into.lastChild.textContent = m[0];
      at = m.index + m[0].length;
    }
    into.append(text.slice(at));
  }

  function item(r, i, res) {
    var doc = index.docs[r.d], url = String(doc[1]);
    var li = el('li'), a = li.appendChild(el('a')), head = a.appendChild(el('span', 'sr-head'));
    li.id = 'search-result-' + i;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    a.href = /^([a-z][a-z0-9+.-]*:|[\/\\])/i.test(url) ? '#' : root + url;
    a.tabIndex = -1;
    fill(head.appendChild(el('span', 'sr-title')), String(doc[0]), res);
    if (doc[2]) {
      var time = head.appendChild(el('time', 'sr-date'));
      time.dateTime = time.textContent = doc[2];
    }
    if (doc[3]) fill(a.appendChild(el('span', 'sr-summary')), String(doc[3]), res);
    return li;
  }

  // Opens the selected result, else the first.
  function follow() {
    go = false;
    var pick = list.children[sel >= 0 ? sel : 0];
    if (pick && !panel.hidden) window.location.href = pick.firstChild.href;
  }

  function show(open) {
    panel.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
  }

  function close() {
    clearTimeout(timer);
    go = false;
    select(-1);
    show(false);
  }

  function select(i) {
    var items = list.children;
    if (items[sel]) items[sel].setAttribute('aria-selected', 'false');
    sel = items[i] ? i : -1;
    if (sel < 0) return input.removeAttribute('aria-activedescendant');
    items[sel].setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', items[sel].id);
    items[sel].scrollIntoView({ block: 'nearest' });
  }

  function update() {
    clearTimeout(timer);
    timer = 0;
    var q = input.value;
    if (!q.trim()) return close();
    select(-1);
    list.textContent = '';
    show(true);
    if (state !== 2) {
      status.textContent = state === 3 ? 'The search index could not be loaded.' : 'Loading…';
      return;
    }
    var res = search(q), n = res.found.length;
    status.textContent = !n ? 'No results' : n > SHOW ? 'Top ' + SHOW + ' of ' + n + ' results'
      : n + (n === 1 ? ' result' : ' results');
    res.found.slice(0, SHOW).forEach(function (r, i) { list.appendChild(item(r, i, res)); });
  }

  input.addEventListener('focus', function () {
    load();
    if (input.value.trim()) update();
  });
  input.addEventListener('input', function () {
    load();
    clearTimeout(timer);
    timer = setTimeout(update, 80);
  });
  input.addEventListener('keydown', function (e) {
    var k = e.key, n;
    if (k === 'ArrowDown' || k === 'ArrowUp') {
      e.preventDefault();
      if (panel.hidden || timer) update();
      n = list.children.length;
      if (n) select(k === 'ArrowDown' ? (sel + 1) % n : (sel > 0 ? sel : n) - 1);
    } else if (k === 'Enter') {
      e.preventDefault();
      if (timer) update();
      if (state === 2) follow(); else go = !!input.value.trim();
    } else if (k === 'Escape' && !panel.hidden) {
      e.preventDefault();
      close();
    }
  });
  box.addEventListener('focusout', function (e) {
    if (e.relatedTarget && !box.contains(e.relatedTarget)) close();
  });
  document.addEventListener('click', function (e) {
    if (!panel.hidden && !box.contains(e.target)) close();
  });
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    e.preventDefault();
    input.focus();
    input.select();
  });

  // Any page opened with ?q=words shows the results for them.
  var q = new URLSearchParams(window.location.search).get('q');
  if (q) {
    input.value = q;
    load();
    update();
  }
})();
