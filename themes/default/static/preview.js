/* lore link previews: hovering or focusing a link to a note shows its title,
   date and summary. The data is in previews/<k>.js, classic scripts (they
   load from file://, where fetch is blocked), each holding the notes whose
   URL hashes to k; a shard is loaded the first time one of its notes is
   asked for. `card` is the one function that knows where the data lives. */
(function () {
  'use strict';
  var me = document.currentScript;
  var shards = me ? parseInt(me.getAttribute('data-shards'), 10) : 0;
  if (!shards || !window.URL) return;
  // document.baseURI: 404.html may have set a <base> to the site's folder.
  var root = new URL(document.body.getAttribute('data-root') || '', document.baseURI).href;
  var here = location.href.split('#')[0].split('?')[0];
  var waiting = {}; // shard → callbacks while its script loads
  var box = null, shownFor = null, timer = 0, ticket = 0;
  var SHOW_AFTER = 300, HIDE_AFTER = 150;

  // FNV-1a (32 bits) of the UTF-8 bytes, as render/previews.rs computes it.
  function hash(text) {
    var bytes = new TextEncoder().encode(text), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }

  // The site-relative URL of a link to another note's page, else null.
  function target(a) {
    var href = a.getAttribute('href');
    if (!href || a.closest('.search-panel, .card')) return null;
    var url;
    try { url = new URL(href, document.baseURI); } catch (e) { return null; }
    var page = url.href.split('#')[0].split('?')[0];
    if (page === here || page.indexOf(root) !== 0) return null;
    var rel;
    try { rel = decodeURIComponent(page.slice(root.length)); } catch (e) { return null; }
    return /^notes\/[^/]+\.html$/.test(rel) ? rel : null;
  }

  // Calls done([title, date, summary]) for the note at `rel`, or done(null).
  function card(rel, done) {
    var k = hash(rel) % shards;
    var loaded = window.LORE_PREVIEWS && window.LORE_PREVIEWS[k];
    if (loaded) return done(loaded[rel] || null);
    if (waiting[k]) return waiting[k].push(done);
    waiting[k] = [done];
    var s = document.createElement('script');
    s.src = root + 'previews/' + k + '.js';
    s.onload = s.onerror = function () {
      var data = (window.LORE_PREVIEWS && window.LORE_PREVIEWS[k]) || {};
      var calls = waiting[k];
      delete waiting[k];
      s.remove();
      calls.forEach(function (f) { f(data[rel] ? data[rel] : null); });
    };
    document.head.appendChild(s);
  }

  function line(cls, text) {
    var p = document.createElement('p');
    p.className = cls;
    p.textContent = text;
    return p;
  }

  function place(a) {
    var r = a.getBoundingClientRect(), w = box.offsetWidth, h = box.offsetHeight;
    var left = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - w - 8));
    var below = r.bottom + 8;
    var top = below + h > window.innerHeight && r.top - h - 8 > 0 ? r.top - h - 8 : below;
    box.style.left = (left + window.scrollX) + 'px';
    box.style.top = (top + window.scrollY) + 'px';
  }

  function show(a, rel) {
    var mine = ++ticket;
    card(rel, function (note) {
      if (mine !== ticket || !note) return;
      if (!box) {
        box = document.createElement('div');
        box.id = 'lore-preview';
        box.className = 'preview';
        box.setAttribute('role', 'tooltip');
        document.body.appendChild(box);
      }
      box.replaceChildren(line('preview-title', note[0]));
      if (note[1]) box.appendChild(line('preview-date', note[1]));
      if (note[2]) box.appendChild(line('preview-summary', note[2]));
      box.hidden = false;
      if (shownFor && shownFor !== a) shownFor.removeAttribute('aria-describedby');
      shownFor = a;
      a.setAttribute('aria-describedby', 'lore-preview');
      place(a);
    });
  }

  function hide() {
    ticket++;
    if (box) box.hidden = true;
    if (shownFor) shownFor.removeAttribute('aria-describedby');
    shownFor = null;
  }

  function later(f, ms) {
    clearTimeout(timer);
    timer = setTimeout(f, ms);
  }

  function enter(e, delay) {
    var a = e.target.closest && e.target.closest('a');
    var rel = a && target(a);
    if (!rel) return;
    if (a === shownFor) return clearTimeout(timer);
    later(function () { show(a, rel); }, delay);
  }

  function leave(e) {
    var a = e.target.closest && e.target.closest('a');
    if (a && !(e.relatedTarget && a.contains(e.relatedTarget))) later(hide, HIDE_AFTER);
  }

  document.addEventListener('mouseover', function (e) { enter(e, SHOW_AFTER); });
  document.addEventListener('mouseout', leave);
  document.addEventListener('focusin', function (e) { enter(e, 0); });
  document.addEventListener('focusout', leave);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') hide(); });
  window.addEventListener('scroll', function () { if (shownFor) place(shownFor); }, { passive: true });
})();
