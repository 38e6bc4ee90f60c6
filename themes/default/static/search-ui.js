/* The default theme's search box. It uses only the public API of search.js
   (lore.search, lore.filters, lore.preload), as any theme can. */
(function () {
  'use strict';
  var $ = document.getElementById.bind(document);
  var input = $('search-input'), lore = window.lore;
  if (!input || !lore || !lore.search) return;
  var box = input.closest('[role="search"]') || input.parentNode;
  // The page holds only the input: the combobox's roles and its panel
  // (status, filters, results, more) are made here, since without this
  // script they would do nothing. A theme may still write them itself.
  if (!$('search-panel')) build();
  var panel = $('search-panel'), list = $('search-results'), status = $('search-status');
  var more = $('search-more'), toggle = $('search-filters-toggle'), facetsBox = $('search-filters');
  if (!panel || !list || !status || !more || !toggle || !facetsBox) return;
  var PAGE = 10, NAMES = { tags: 'Tags', authors: 'Authors', sources: 'Sources', years: 'Years' };
  var chosen = {}, modes = {}, shown = 0, total = 0, sel = -1, timer = 0, seq = 0, go = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // The combobox's attributes, its key hint, and the panel: each part
  // named by its id (also its class), with its attributes.
  function build() {
    set(input, {
      type: 'text', enterkeyhint: 'search', autocomplete: 'off', spellcheck: 'false',
      role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
      'aria-controls': 'search-results', 'aria-describedby': 'search-hint'
    });
    input.parentNode.insertBefore(set(el('kbd', 'search-key', '/'), { 'aria-hidden': 'true' }), input.nextSibling);
    part(box, 'span', 'search-hint', {}, 'Press slash to search. Use the arrow keys to pick a result and Enter to open it.')
      .className = 'visually-hidden';
    var p = part(box, 'div', 'search-panel', {}), bar = p.appendChild(el('div', 'search-bar'));
    p.hidden = true;
    part(bar, 'p', 'search-status', { role: 'status', 'aria-live': 'polite' });
    part(bar, 'button', 'search-filters-toggle',
      { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'search-filters' }, 'Filters');
    part(p, 'div', 'search-filters', {}).hidden = true;
    part(p, 'ul', 'search-results', { role: 'listbox', 'aria-label': 'Search results' });
    part(p, 'button', 'search-more', { type: 'button' }, 'More results').hidden = true;
  }
  function set(e, attrs) {
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function part(parent, tag, id, attrs, text) {
    var e = parent.appendChild(set(el(tag, id, text), attrs));
    e.id = id;
    return e;
  }
  function filters() {
    var f = {};
    Object.keys(chosen).forEach(function (k) {
      var v = Object.keys(chosen[k]);
      if (v.length) f[k] = modes[k] === 'all' ? { all: v } : v;
    });
    return f;
  }
  function filtering() { return Object.keys(filters()).length > 0; }

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
  function follow() {
    go = false;
    var pick = list.children[sel >= 0 ? sel : 0];
    if (pick && !panel.hidden) window.location.href = pick.querySelector('a').href;
  }

  function item(r, i) {
    var li = el('li'), a = li.appendChild(el('a')), head = a.appendChild(el('span', 'sr-head'));
    li.id = 'search-result-' + i;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    a.href = r.url;
    a.tabIndex = -1;
    head.appendChild(el('span', 'sr-title', r.title));
    if (r.date) {
      var time = head.appendChild(el('time', 'sr-date', r.date));
      time.dateTime = r.date;
    }
    var meta = [r.source].concat(r.authors || []).filter(Boolean).join(' · ');
    if (meta || (r.tags && r.tags.length)) {
      var m = a.appendChild(el('span', 'sr-meta', meta));
      (r.tags || []).slice(0, 4).forEach(function (t) { m.appendChild(el('span', 'sr-tag', '#' + t)); });
    }
    // The excerpt is the engine's HTML: the note's text escaped, with <mark>.
    if (r.excerpt) a.appendChild(el('span', 'sr-summary')).innerHTML = r.excerpt;
    return li;
  }

  function update(append) {
    clearTimeout(timer);
    timer = 0;
    var q = input.value, mine = ++seq;
    if (!q.trim() && !filtering()) {
      list.textContent = '';
      more.hidden = true;
      status.textContent = 'Type to search, or pick filters to browse.';
      if (!facetsBox.hidden) facets(q);
      return;
    }
    if (!append) { select(-1); shown = 0; }
    show(true);
    if (!append && !list.children.length) status.textContent = 'Searching…';
    lore.search(q, { filters: filters(), limit: PAGE, offset: append ? shown : 0 }).then(function (res) {
      if (mine !== seq) return;
      if (!append) list.textContent = '';
      res.results.forEach(function (r) { list.appendChild(item(r, shown++)); });
      total = res.total;
      status.textContent = !total ? 'No results' : total === 1 ? '1 result' : total.toLocaleString() + ' results' +
        (shown < total ? ', showing ' + shown : '');
      more.hidden = shown >= total;
      if (go) follow();
      if (!facetsBox.hidden && !append) facets(q);
    }, function () {
      if (mine !== seq) return;
      list.textContent = '';
      more.hidden = true;
      status.textContent = 'The search index could not be loaded.';
    });
  }

  // The filter panel: each facet's values with their counts over the
  // current results (or the whole site with no query and no filter).
  function facets(q) {
    var mine = seq;
    lore.filters(q, { filters: filters() }).then(function (fs) {
      if (mine !== seq) return;
      facetsBox.textContent = '';
      Object.keys(NAMES).forEach(function (f) {
        // The 12 most common, and any value chosen, with its true count.
        var vals = (fs[f] || []).filter(function (x, i) { return i < 12 || (chosen[f] || {})[x.value]; });
        Object.keys(chosen[f] || {}).forEach(function (v) {
          if (!vals.some(function (x) { return x.value === v; })) vals.push({ value: v, count: 0 });
        });
        if (!vals.length) return;
        var set = facetsBox.appendChild(el('fieldset', 'sf-facet'));
        set.appendChild(el('legend', '', NAMES[f]));
        if (f === 'tags' || f === 'authors') {
          var mode = set.appendChild(el('select', 'sf-mode'));
          mode.setAttribute('aria-label', NAMES[f] + ': match any or all');
          [['any', 'any'], ['all', 'all']].forEach(function (o) {
            var opt = mode.appendChild(el('option', '', o[1]));
            opt.value = o[0];
          });
          mode.value = modes[f] || 'any';
          mode.addEventListener('change', function () { modes[f] = mode.value; update(); });
        }
        vals.forEach(function (v) {
          var label = set.appendChild(el('label', 'sf-value')), box = label.appendChild(el('input'));
          box.type = 'checkbox';
          box.checked = !!(chosen[f] && chosen[f][v.value]);
          box.addEventListener('change', function () {
            chosen[f] = chosen[f] || {};
            if (box.checked) chosen[f][v.value] = true; else delete chosen[f][v.value];
            update();
          });
          label.appendChild(document.createTextNode(' ' + v.value + ' '));
          label.appendChild(el('span', 'sf-count', '(' + v.count.toLocaleString() + ')'));
        });
      });
    }, function () {});
  }

  input.addEventListener('focus', function () {
    lore.preload().catch(function () {});
    if (input.value.trim() || filtering()) update();
  });
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(update, 60);
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
      if (timer) { go = true; update(); } else if (list.children.length) follow(); else go = !!input.value.trim();
    } else if (k === 'Escape' && !panel.hidden) {
      e.preventDefault();
      close();
    }
  });
  more.addEventListener('click', function () { update(true); });
  toggle.addEventListener('click', function () {
    var open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    facetsBox.hidden = !open;
    show(true);
    if (open) facets(input.value);
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
    update();
  }
})();
