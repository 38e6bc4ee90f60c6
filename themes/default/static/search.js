/* lore search engine: window.lore.search(query, {filters, limit, offset}),
   lore.filters(query, {filters}) and lore.card(url). The index (search/ at
   the site root, written by `lore build`) is classic scripts that call back
   into lore._…, loaded as <script> tags only when a query needs them, so the
   same files work from file:// (where fetch is blocked) and over http.
   Words are folded here exactly as src/search/text.rs folds them; stems come
   from the index (every word the notes contain names its stem), so the
   browser never needs a stemmer of its own. Cards and tails come deflated
   (zlib, in base64) and are inflated by the browser's DecompressionStream. */
(function () {
  'use strict';
  var lore = window.lore = window.lore || {};
  var me = document.currentScript;
  var BASE = me ? me.src.replace(/static\/search\.js(?:[?#].*)?$/, '') : '';
  var SPLIT = /[^\p{Alphabetic}\p{N}]+/u, WORD = /[\p{Alphabetic}\p{N}]+/gu, MARKS = /\p{M}/gu;
  var LONGEST = 40, MAX_WORDS = 16, EXPAND = 16, TYPOS = 8;
  var W_EXACT = 4, W_PREFIX = 3, W_TYPO = 2;
  var M = null, manifest = null;
  var wait = {}, shards = {}, tails = {}, cards = {}, lists = {}, values = null;

  // Loading: one <script> per file; its callback resolves the promise.
  function load(path) {
    var w = wait[path];
    if (w) return w.p;
    w = wait[path] = {};
    w.p = new Promise(function (resolve, reject) { w.ok = resolve; w.no = reject; });
    var s = document.createElement('script');
    s.src = BASE + 'search/' + path + (M ? '?v=' + M.v : '');
    s.onload = function () { s.remove(); if (!w.done) fail(); };
    s.onerror = function () { s.remove(); fail(); };
    function fail() { delete wait[path]; w.no(new Error('lore search: could not load search/' + path)); }
    document.head.appendChild(s);
    return w.p;
  }
  function done(path, value) {
    var w = wait[path];
    if (w) { w.done = true; w.ok(value); }
  }
  function ready() {
    return manifest || (manifest = load('manifest.js').catch(function (e) { manifest = null; throw e; }));
  }

  function bytes(b64) {
    var s = atob(b64), a = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }
  // A deflated file's bytes: a promise, as the browser inflates in a stream.
  function inflate(b64) {
    if (typeof DecompressionStream === 'undefined') return Promise.reject(new Error('lore search: this browser cannot inflate the index (no DecompressionStream)'));
    var s = new Blob([bytes(b64)]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(s).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  // A list of n ascending ids (as gaps) and, if `imp`, n impacts after them.
  function postings(a, at, n, imp) {
    var ids = new Uint32Array(n), last = 0;
    for (var i = 0; i < n; i++) {
      var v = 0, sh = 0, b;
      do { b = a[at++]; v |= (b & 127) << sh; sh += 7; } while (b & 128);
      ids[i] = last = i ? last + v : v;
    }
    return { ids: ids, imp: imp ? a.subarray(at, at + n) : null, end: at + (imp ? n : 0) };
  }
  function varint(a, pos) {
    var v = 0, sh = 0, b;
    do { b = a[pos.at++]; v |= (b & 127) << sh; sh += 7; } while (b & 128);
    return v;
  }

  lore._m = function (m) { M = m; done('manifest.js', m); };
  lore._t = function (n, keys, red, b64) {
    var a = bytes(b64), pos = { at: 0 }, ent = new Array(keys.length);
    for (var i = 0; i < keys.length; i++) {
      var df = varint(a, pos);
      if (!df) continue;
      var stem = varint(a, pos), tail = df > M.inline ? varint(a, pos) : -1;
      var p = postings(a, pos.at, Math.min(df, M.inline), true);
      pos.at = p.end;
      ent[i] = { df: df, stem: stem, tail: tail, ids: p.ids, imp: p.imp, key: keys[i] };
    }
    done('t/' + n + '.js', shards[n] = { n: n, keys: keys, red: red, ent: ent });
  };
  // A tail file: one stem after another, each its id, count and postings.
  lore._p = function (n, b64) {
    done('p/' + n + '.js', inflate(b64).then(function (a) {
      for (var pos = { at: 0 }; pos.at < a.length;) {
        var stem = varint(a, pos), count = varint(a, pos), p = postings(a, pos.at, count, true);
        pos.at = p.end;
        tails[stem] = p;
      }
    }));
  };
  lore._c = function (n, b64) {
    done('c/' + n + '.js', inflate(b64).then(function (a) {
      return cards[n] = JSON.parse(new TextDecoder().decode(a));
    }));
  };
  lore._h = function (b, flat) { done('h/' + b + '.js', flat); };
  lore._u = function (b, flat) { done('u/' + b + '.js', flat); };
  lore._f = function (v) { done('f/values.js', values = v); };
  lore._l = function (facet, n, start, b64s) { done('f/' + facet + '-' + n + '.js', { start: start, lists: b64s }); };

  // Words, folded as the index folds them.
  function fold(w) { return w.toLowerCase().normalize('NFKD').replace(MARKS, ''); }
  function words(text) {
    return text.split(SPLIT).filter(function (t) { return t && Array.from(t).length <= LONGEST; }).map(fold)
      .filter(function (t) { return t; });
  }
  function hash(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  }
  function lower(arr, x) { // first index with arr[i] >= x
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function shardOf(w) { return Math.max(0, lower(M.first, w + '\0') - 1); }
  function shard(n) { return shards[n] ? Promise.resolve(shards[n]) : load('t/' + n + '.js'); }

  // The entry (notes) of a stem, by its text.
  function stemEntry(s) {
    return shard(shardOf(s)).then(function (sh) {
      var i = lower(sh.keys, s);
      return sh.keys[i] === s ? sh.ent[i] || null : null;
    });
  }
  // What key i of a shard files under: its own notes, or its stem's.
  function target(sh, i) {
    var r = sh.red[i];
    return r ? stemEntry(r[0]) : Promise.resolve(sh.ent[i] || null);
  }
  function dfOf(sh, i) { var r = sh.red[i]; return r ? r[1] : sh.ent[i] ? sh.ent[i].df : 0; }

  // Restricted Damerau-Levenshtein distance, or max+1 once it is exceeded.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var c = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + c);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  // A query word → the stems it matches, each with a weight: the word
  // itself, words it begins (if it is the last, unfinished one), or else
  // words one typo away (two for long words).
  function resolve(w, prefix) {
    var n = shardOf(w);
    return shard(n).then(function (sh) {
      var found = [], i = lower(sh.keys, w);
      if (sh.keys[i] === w) found.push({ sh: sh, i: i, wt: W_EXACT });
      if (!prefix || w.length < 2) return found;
      var more = [];
      // Longer words count less when the word itself is one the notes
      // have (it is likely finished), so "data" ranks notes with "data"
      // above notes with only the rarer "dataset".
      var wt = found.length ? 1 : W_PREFIX;
      function scan(s, k) {
        for (; k < s.keys.length && s.keys[k].lastIndexOf(w, 0) === 0; k++) {
          if (s.keys[k] !== w) more.push({ sh: s, i: k, wt: wt });
        }
        return k === s.keys.length && M.first[s.n + 1] !== undefined && M.first[s.n + 1].lastIndexOf(w, 0) === 0;
      }
      if (!scan(sh, i)) return add();
      return shard(n + 1).then(function (next) { scan(next, 0); return add(); });
      function add() {
        more.sort(function (a, b) { return dfOf(b.sh, b.i) - dfOf(a.sh, a.i); });
        return found.concat(more.slice(0, EXPAND));
      }
    }).then(function (found) {
      if (found.length || Array.from(w).length < 4 || /^\d+$/.test(w)) return found;
      // A word no note contains: another form of it may be there. Stems
      // are keys too, and a stem is mostly its words' start: the longest
      // stem that begins this word (but for up to 5 letters) stands for it.
      var sh = shards[n], max = Array.from(w).length >= 8 ? 2 : 1, typos = [], stemKey = -1;
      for (var cut = 1; cut <= 5 && w.length - cut >= 3 && stemKey < 0; cut++) {
        var k0 = lower(sh.keys, w.slice(0, -cut));
        if (sh.keys[k0] === w.slice(0, -cut) && sh.ent[k0]) stemKey = k0;
      }
      if (stemKey >= 0) typos.push({ sh: sh, i: stemKey, wt: W_TYPO });
      sh.keys.forEach(function (k, i) {
        if (i !== stemKey && distance(w, k, max) <= max) typos.push({ sh: sh, i: i, wt: W_TYPO });
      });
      typos.sort(function (a, b) { return (b.i === stemKey) - (a.i === stemKey) || dfOf(b.sh, b.i) - dfOf(a.sh, a.i); });
      return typos.slice(0, TYPOS);
    }).then(function (found) {
      return Promise.all(found.map(function (f) { return target(f.sh, f.i); })).then(function (es) {
        var by = new Map(), keys = [];
        es.forEach(function (e, k) {
          if (!e) return;
          keys.push(found[k].sh.keys[found[k].i]);
          var old = by.get(e.stem);
          if (!old || old.wt < found[k].wt) by.set(e.stem, { e: e, wt: found[k].wt });
        });
        return { word: w, stems: Array.from(by.values()), keys: keys };
      });
    });
  }

  // Every note of a stem (the inline best are all there is when df is small).
  function full(e) {
    if (e.df <= e.ids.length) return Promise.resolve(e);
    if (tails[e.stem]) return Promise.resolve(tails[e.stem]);
    return load('p/' + e.tail + '.js').then(function () { return tails[e.stem]; });
  }

  // Filters: {tags: ['a', 'b']} (any), {tags: {all: [...]}} or {any: [...]}.
  function facetValues() { return values ? Promise.resolve(values) : load('f/values.js'); }
  function valueList(facet, name) {
    return facetValues().then(function (v) {
      var list = v[facet] || [], k = -1;
      for (var i = 0; i < list.length; i++) if (list[i][0] === name) { k = i; break; }
      if (k < 0) return new Uint32Array(0);
      var key = facet + '-' + list[k][2], cached = lists[key];
      return (cached ? Promise.resolve(cached) : load('f/' + key + '.js')).then(function (chunk) {
        lists[key] = chunk;
        var b = chunk.lists[k - chunk.start];
        if (typeof b === 'string') chunk.lists[k - chunk.start] = b = postings(bytes(b), 0, list[k][1], false).ids;
        return b;
      });
    });
  }
  function merge(a, b, both) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) { if (!both) out.push(a[i]); i++; }
      else { if (!both) out.push(b[j]); j++; }
    }
    if (!both) { while (i < a.length) out.push(a[i++]); while (j < b.length) out.push(b[j++]); }
    return out;
  }
  function normFilters(f) {
    var out = [];
    Object.keys(f || {}).sort().forEach(function (facet) {
      var v = f[facet], all = false;
      if (v && !Array.isArray(v)) { all = !!v.all; v = v.all || v.any || []; }
      if (typeof v === 'string') v = [v];
      v = (v || []).map(String).filter(function (x, i, a) { return a.indexOf(x) === i; });
      if (v.length) out.push({ facet: facet, values: v, all: all });
    });
    return out;
  }
  // The ascending ids the filters allow, or null for no filter.
  function allowed(nf) {
    if (!nf.length) return Promise.resolve(null);
    return Promise.all(nf.map(function (f) {
      return Promise.all(f.values.map(function (v) { return valueList(f.facet, v); })).then(function (ls) {
        return ls.reduce(function (acc, l) { return acc ? merge(acc, l, f.all) : Array.from(l); }, null);
      });
    })).then(function (sets) {
      return sets.reduce(function (acc, s) { return acc ? merge(acc, s, true) : s; }, null);
    });
  }

  // Scratch arrays, one slot per note, reused by every query.
  var score, count, best;
  function scratch() {
    if (!score || score.length !== M.n) { score = new Uint32Array(M.n); count = new Uint8Array(M.n); best = new Uint16Array(M.n); }
  }

  var cache = { key: null };
  // Ranks every note matching the query: notes with every word first, then
  // fewer; by score within; newest first on ties (ids are in date order).
  function rank(q, nf) {
    var key = q + '\n' + JSON.stringify(nf);
    if (cache.key === key) return cache.p;
    cache.key = key;
    return cache.p = ready().then(function () {
      var ws = words(q), uniq = ws.filter(function (w, i) { return ws.indexOf(w) === i; }).slice(0, MAX_WORDS);
      var open = ws.length && !SPLIT.test(Array.from(q).pop() || ' ');
      var title = uniq.length ? load('h/' + (hash(ws.join(' ')) % M.buckets) + '.js').then(function (flat) {
        var h = hash(ws.join(' ')), out = [];
        for (var i = 0; i < flat.length; i += 2) if (flat[i] === h) out.push(flat[i + 1]);
        return out;
      }, function () { return []; }) : Promise.resolve([]);
      var groups = Promise.all(uniq.map(function (w) { return resolve(w, open && w === ws[ws.length - 1]); }));
      return Promise.all([groups, title, allowed(nf)]);
    }).then(function (r) {
      var groups = r[0], titles = r[1], allow = r[2], keys = [];
      groups.forEach(function (g) { keys = keys.concat(g.keys); });
      var found = groups.filter(function (g) { return g.stems.length; });
      var res = { groups: groups, keys: keys, ids: null, total: 0 };
      if (!groups.length) {
        res.ids = allow ? Uint32Array.from(allow) : new Uint32Array(0);
        res.scores = new Uint32Array(res.ids.length);
        res.total = res.ids.length;
        return res;
      }
      // One word, one stem, no filter: its inline best are the first page.
      if (found.length === 1 && groups.length === 1 && found[0].stems.length === 1 && !allow) {
        var e = found[0].stems[0].e;
        res.total = e.df;
        res.fast = e;
        res.titles = titles;
        return res;
      }
      return Promise.all(found.map(function (g) {
        return Promise.all(g.stems.map(function (s) { return full(s.e).then(function (l) { return { l: l, wt: s.wt }; }); }));
      })).then(function (lists) {
        var c = combine(lists, titles, allow, groups.length);
        res.ids = c.ids;
        res.scores = c.scores;
        res.total = c.ids.length;
        return res;
      });
    }).catch(function (e) { cache.key = null; throw e; });
  }

  function combine(groups, titles, allow, nwords) {
    scratch();
    var all = [], touched = [], i, k, d;
    groups.forEach(function (g) {
      touched.length = 0;
      g.forEach(function (s) {
        var ids = s.l.ids, imp = s.l.imp, wt = s.wt;
        for (k = 0; k < ids.length; k++) {
          d = ids[k];
          var v = imp[k] * wt;
          if (v > best[d]) { if (!best[d]) touched.push(d); best[d] = v; }
        }
      });
      for (k = 0; k < touched.length; k++) {
        d = touched[k];
        if (!count[d]) all.push(d);
        score[d] += best[d];
        count[d]++;
        best[d] = 0;
      }
    });
    var mask = null;
    if (allow) { mask = new Uint8Array(M.n); for (i = 0; i < allow.length; i++) mask[allow[i]] = 1; }
    titles.forEach(function (d) { if (count[d] === nwords) count[d] = nwords + 1; });
    var keys = new Float64Array(all.length), n = 0, SHIFT = 67108864; // 2^26
    for (i = 0; i < all.length; i++) {
      d = all[i];
      if (!mask || mask[d]) keys[n++] = ((count[d] * 524288) + Math.min(score[d], 524287)) * SHIFT + (SHIFT - 1 - d);
      score[d] = 0; count[d] = 0;
    }
    keys = keys.subarray(0, n).sort();
    var ids = new Uint32Array(n), scores = new Uint32Array(n);
    for (i = 0; i < n; i++) {
      var key = keys[n - 1 - i];
      ids[i] = SHIFT - 1 - (key % SHIFT);
      scores[i] = Math.floor(key / SHIFT) % 524288;
    }
    return { ids: ids, scores: scores };
  }

  // Results offset..offset+limit as {id, score}.
  function page(res, offset, limit) {
    if (res.ids) {
      var out = [];
      for (var k = offset; k < Math.min(res.ids.length, offset + limit); k++) out.push({ id: res.ids[k], score: res.scores[k] });
      return Promise.resolve(out);
    }
    var e = res.fast, title = res.titles;
    function order(l) {
      var idx = [], at = new Map();
      for (var i = 0; i < l.ids.length; i++) { idx.push(i); at.set(l.ids[i], l.imp[i]); }
      idx.sort(function (a, b) { return l.imp[b] - l.imp[a] || l.ids[a] - l.ids[b]; });
      var out = title.filter(function (d) { return at.has(d); });
      // A list's ids are distinct: only exact-title notes, already first, repeat.
      idx.forEach(function (i) { if (title.indexOf(l.ids[i]) < 0) out.push(l.ids[i]); });
      return out.slice(offset, offset + limit).map(function (d) { return { id: d, score: (at.get(d) || 0) * W_EXACT }; });
    }
    if (offset + limit + title.length <= e.ids.length || e.df <= e.ids.length) return Promise.resolve(order(e));
    return full(e).then(order);
  }

  // A note's card: [url, title, date, source, tags, authors, text, and,
  // only if it is not the start of the text, summary].
  function card(id) {
    var n = Math.floor(id / M.cards);
    return (cards[n] ? Promise.resolve(cards[n]) : load('c/' + n + '.js')).then(function (rows) { return rows[id % M.cards]; });
  }
  // Whitespace as Rust's split_whitespace sees it, and UTF-8 lengths, so
  // a summary is cut where src/search/cards.rs cuts it.
  var SPACE = /[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  function utf8(s) {
    for (var n = 0, i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? (i++, 4) : 3;
    }
    return n;
  }
  function summary(c) {
    if (c.length > 7) return c[7];
    var out = '', len = 0, ws = c[6].split(SPACE);
    for (var i = 0; i < ws.length; i++) {
      if (!ws[i]) continue;
      var l = utf8(ws[i]);
      if (len + l + 1 > M.sum) return out + '\u2026';
      if (out) { out += ' '; len++; }
      out += ws[i]; len += l;
    }
    return out;
  }
  // The site root relative to this page: the theme's data-root, else
  // worked out from where this script was loaded from.
  function rel() {
    var b = document.body && document.body.getAttribute('data-root');
    if (b !== null && b !== undefined) return b;
    var base = new URL(BASE, location.href), here = new URL('.', location.href);
    if (base.origin !== here.origin || here.pathname.lastIndexOf(base.pathname, 0) !== 0) return base.href;
    var depth = here.pathname.slice(base.pathname.length).split('/').length - 1;
    return new Array(depth + 1).join('../');
  }
  function safe(u) { return /^([a-z][a-z0-9+.-]*:|[\/\\])/i.test(u) ? '#' : rel() + u; }

  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  // Marks the words of `text` that the query matched (as folded words).
  function marked(text, match) {
    var out = '', at = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (!match(fold(m[0]))) continue;
      out += esc(text.slice(at, m.index)) + '<mark>' + esc(m[0]) + '</mark>';
      at = m.index + m[0].length;
    }
    return out + esc(text.slice(at));
  }
  // About `size` characters of `text` around its first matched word.
  function excerpt(text, match, size) {
    var m, first = -1;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) if (match(fold(m[0]))) { first = m.index; break; }
    if (first < 0) return null;
    var start = Math.max(0, first - Math.floor(size / 3));
    if (start > 0) { var sp = text.indexOf(' ', start); start = sp >= 0 && sp < first ? sp + 1 : start; }
    var end = Math.min(text.length, start + size);
    if (end < text.length) { var e2 = text.lastIndexOf(' ', end); if (e2 > first) end = e2; }
    return (start > 0 ? '…' : '') + marked(text.slice(start, end), match) + (end < text.length ? '…' : '');
  }
  function matcher(res) {
    var set = new Set(res.keys), last = res.groups.length ? res.groups[res.groups.length - 1].word : '';
    res.groups.forEach(function (g) { set.add(g.word); });
    return function (w) { return set.has(w) || (last.length >= 2 && w.lastIndexOf(last, 0) === 0); };
  }

  /* The API. `filters`: {tags, authors, sources, years}, each a list of
     values (any of them) or {all: [...]} / {any: [...]}. Results carry URLs
     relative to the current page and an HTML excerpt with <mark>ed words. */
  lore.search = function (query, opts) {
    opts = opts || {};
    var limit = Math.max(0, opts.limit === undefined ? 10 : opts.limit | 0), offset = Math.max(0, opts.offset | 0);
    var nf = normFilters(opts.filters);
    return rank(String(query || ''), nf).then(function (res) {
      return page(res, offset, limit).then(function (hits) {
        var match = matcher(res);
        return Promise.all(hits.map(function (hit) {
          return card(hit.id).then(function (c) {
            return {
              url: safe(c[0]), title: c[1], date: c[2], source: c[3], tags: c[4], authors: c[5],
              excerpt: excerpt(c[6], match, 180) || marked(summary(c), match),
              score: hit.score
            };
          });
        }));
      }).then(function (results) { return { total: res.total, results: results }; });
    });
  };

  /* Facet values with counts: over the whole site without a query or
     filters; else over that search's results (for the `top` most common
     values of each facet, default 12, and the selected ones). */
  lore.filters = function (query, opts) {
    opts = opts || {};
    var nf = normFilters(opts.filters), top = opts.top || 12;
    return ready().then(facetValues).then(function (v) {
      var out = {};
      if (!String(query || '').trim() && !nf.length) {
        Object.keys(v).forEach(function (f) { out[f] = v[f].map(function (x) { return { value: x[0], count: x[1] }; }); });
        return out;
      }
      return rank(String(query || ''), nf).then(function (res) {
        var ids = res.ids ? Promise.resolve(res.ids) : full(res.fast).then(function (l) { return l.ids; });
        return ids.then(function (ids) {
          var inRes = new Uint8Array(M.n);
          for (var i = 0; i < ids.length; i++) inRes[ids[i]] = 1;
          return Promise.all(Object.keys(v).map(function (f) {
            var chosen = v[f].slice(0, top).map(function (x) { return x[0]; });
            nf.forEach(function (s) { if (s.facet === f) s.values.forEach(function (x) { if (chosen.indexOf(x) < 0) chosen.push(x); }); });
            return Promise.all(chosen.map(function (name) {
              return valueList(f, name).then(function (l) {
                var c = 0;
                for (var j = 0; j < l.length; j++) c += inRes[l[j]];
                return { value: name, count: c };
              });
            })).then(function (counts) { out[f] = counts.filter(function (x) { return x.count; }); });
          })).then(function () { return out; });
        });
      });
    });
  };

  /* A note's card by its page URL (relative to this page, or absolute):
     {title, date, summary, tags, authors, source, url}, or null. */
  lore.card = function (url) {
    return ready().then(function () {
      var site = new URL(url, location.href).href.split('#')[0], base = new URL(BASE, location.href).href;
      if (site.lastIndexOf(base, 0) !== 0) return null;
      site = site.slice(base.length);
      var h = hash('url:' + site);
      return load('u/' + (h % M.ubuckets) + '.js').then(function (flat) {
        var ids = [];
        for (var i = 0; i < flat.length; i += 2) if (flat[i] === h) ids.push(flat[i + 1]);
        return Promise.all(ids.map(card)).then(function (cs) {
          var c = cs.filter(function (c) { return c[0] === site; })[0];
          return c ? { url: safe(c[0]), title: c[1], date: c[2], source: c[3], tags: c[4], authors: c[5], summary: summary(c) } : null;
        });
      });
    });
  };

  /* Loads the manifest ahead of the first query (e.g. on focus). */
  lore.preload = function () { return ready().then(function () { return true; }); };
})();
