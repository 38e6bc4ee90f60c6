// The search benchmark's browser half (run by bench/search.sh): opens a
// built site in headless Chromium, over file:// and over http (a local
// static server), and prints what a reader's browser loads and how long
// queries take, through the theme API only (lore.preload, lore.search).
//
//   node bench/search.js <public dir> [query ...]
//
// Needs puppeteer-core: PUPPETEER (path to the package), else
// ../main/target/test-tools/lighthouse/node_modules/puppeteer-core.
'use strict';
const fs = require('fs'), path = require('path'), http = require('http'), zlib = require('zlib');
const site = path.resolve(process.argv[2] || 'public');
const queries = process.argv.slice(3);
const pptr = require(process.env.PUPPETEER ||
  path.resolve(__dirname, '../../main/target/test-tools/lighthouse/node_modules/puppeteer-core'));
const ROUNDS = +(process.env.ROUNDS || 30);

const gzCache = new Map();
function sizes(file) {
  if (!gzCache.has(file)) {
    const raw = fs.readFileSync(file);
    gzCache.set(file, [raw.length, zlib.gzipSync(raw, { level: 6 }).length]);
  }
  return gzCache.get(file);
}
function kb(n) { return (n / 1024).toFixed(1) + ' KB'; }
function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]; }

function serve() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '');
      const file = path.join(site, rel);
      if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404); return res.end();
      }
      const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type });
      fs.createReadStream(file).pipe(res);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// The site files a page loaded while `fn` ran, with raw and gzip sizes.
async function loaded(page, base, fn) {
  const files = new Set();
  const on = (req) => {
    const u = req.url().split('?')[0];
    if (u.startsWith(base)) files.add(path.join(site, decodeURIComponent(u.slice(base.length))));
  };
  page.on('request', on);
  await fn();
  page.off('request', on);
  let raw = 0, gz = 0;
  for (const f of files) { const [r, g] = sizes(f); raw += r; gz += g; }
  return { files: files.size, raw, gz };
}

async function run(browser, base, label) {
  console.log(`\n== ${label}`);
  const open = async () => {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setCacheEnabled(false);
    return { ctx, page };
  };
  // Before typing: the page's search scripts and the manifest (on focus).
  {
    const { ctx, page } = await open();
    const before = await loaded(page, base, async () => {
      await page.goto(base + 'index.html', { waitUntil: 'load' });
      await page.evaluate(() => window.lore.preload());
    });
    const scripts = [...['static/search.js', 'static/search-ui.js', 'search/manifest.js']]
      .map((f) => sizes(path.join(site, f)));
    const raw = scripts.reduce((a, s) => a + s[0], 0), gz = scripts.reduce((a, s) => a + s[1], 0);
    console.log(`before the first keystroke: ${kb(raw)} raw, ${kb(gz)} gzipped (engine + UI + manifest)`);
    await ctx.close();
    void before;
  }
  // First query on a fresh page, then warm times (round robin, so no
  // answer is cached: every run ranks again from loaded files).
  const results = [];
  for (const q of queries) {
    const { ctx, page } = await open();
    await page.goto(base + 'index.html', { waitUntil: 'load' });
    await page.evaluate(() => window.lore.preload());
    let total = 0, ms = 0;
    const first = await loaded(page, base, async () => {
      const r = await page.evaluate(async (q) => {
        const t = performance.now();
        const res = await window.lore.search(q, { limit: 10 });
        return { total: res.total, ms: performance.now() - t };
      }, q);
      total = r.total; ms = r.ms;
    });
    results.push({ q, total, first, ms });
    await ctx.close();
  }
  const { ctx, page } = await open();
  await page.goto(base + 'index.html', { waitUntil: 'load' });
  const times = await page.evaluate(async (queries, rounds) => {
    for (const q of queries) await window.lore.search(q, { limit: 10 });
    const out = {};
    for (const q of queries) out[q] = [];
    for (let r = 0; r < rounds; r++) {
      for (const q of queries) {
        const t = performance.now();
        await window.lore.search(q, { limit: 10 });
        out[q].push(performance.now() - t);
      }
    }
    return out;
  }, queries, ROUNDS);
  await ctx.close();
  const all = [];
  console.log('query                 matches   first query: files   raw        gzip       cold ms | warm p50  p95   max (ms)');
  for (const r of results) {
    const t = times[r.q].slice().sort((a, b) => a - b);
    all.push(...t);
    console.log(`${JSON.stringify(r.q).padEnd(22)}${String(r.total).padStart(7)}   ${String(r.first.files).padStart(18)}   ${kb(r.first.raw).padStart(9)}  ${kb(r.first.gz).padStart(9)}  ${r.ms.toFixed(1).padStart(8)} | ${pct(t, 50).toFixed(1).padStart(8)} ${pct(t, 95).toFixed(1).padStart(5)} ${t[t.length - 1].toFixed(1).padStart(5)}`);
  }
  all.sort((a, b) => a - b);
  console.log(`all queries warm: p50 ${pct(all, 50).toFixed(1)} ms, p95 ${pct(all, 95).toFixed(1)} ms, max ${all[all.length - 1].toFixed(1)} ms (${all.length} runs)`);
}

(async () => {
  const browser = await pptr.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
  });
  try {
    await run(browser, 'file://' + site + '/', 'file://');
    const server = await serve();
    await run(browser, `http://127.0.0.1:${server.address().port}/`, 'http://');
    server.close();
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
