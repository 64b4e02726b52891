// The browser half of benches/search.py (run by it; not meant to be run by
// hand): drives Debian's Chromium with playwright-core against the built site
// that search.py serves, and writes what it saw as JSON. search.py turns that
// into bytes, recall and the table.
//
//   node search_browser.js JOB.json RESULT.json
//
// JOB.json: { playwright, chromium, base, tmp, cap, bundle, languages: [{ prefix,
//   fresh: [[q1, q2], ...], queries: [q, ...] }] }
// Every measurement runs in a browser of its own with a new, empty profile.
'use strict';
const fs = require('fs');
const path = require('path');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { chromium } = require(job.playwright);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];
const problems = [];

// A browser with a fresh profile; `fn(page, net)` gets the page and the list of
// requests it (and its workers) finished: [{url, bytes, status}].
async function fresh(label, fn) {
  const dir = fs.mkdtempSync(path.join(job.tmp, 'profile-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: job.chromium, headless: true, args: ARGS, viewport: { width: 1200, height: 900 },
  });
  const net = [];
  ctx.on('requestfinished', async (req) => {
    const entry = { url: req.url(), bytes: null, status: null };
    net.push(entry);
    try {
      const resp = await req.response();
      entry.status = resp ? resp.status() : null;
      entry.bytes = (await req.sizes()).responseBodySize;
      if (entry.status >= 400) problems.push({ where: label, kind: 'http ' + entry.status, text: req.url() });
    } catch (e) { /* the context closed meanwhile */ }
  });
  ctx.on('requestfailed', (req) => {
    problems.push({ where: label, kind: 'request failed', text: req.url() + ' ' + (req.failure() || {}).errorText });
  });
  await ctx.addInitScript(() => performance.setResourceTimingBufferSize(1000000));
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push({ where: label, kind: 'console ' + m.type(), text: m.text() });
  });
  page.on('pageerror', (e) => problems.push({ where: label, kind: 'page error', text: String(e) }));
  try {
    return await fn(page, net);
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The page's resource timing entries (the main thread's: not a worker's).
function entries(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({
    url: e.name, decoded: e.decodedBodySize, transfer: e.transferSize,
  })));
}

// ---- stele

async function steleOpen(page, prefix) {
  await page.goto(job.base + prefix + 'search/', { waitUntil: 'load' });
  await page.waitForFunction(() => window.steleSearch && typeof window.steleSearch.search === 'function');
}

// One query through the page's UI; steleSearch.last afterwards (null if the
// query failed: then `last` is not updated and the status says so).
async function steleQuery(page, q) {
  return page.evaluate(async (q) => {
    const before = window.steleSearch.last;
    await window.steleSearch.search(q);
    const last = window.steleSearch.last;
    const status = document.querySelector('[data-search-status]').textContent;
    const shown = document.querySelectorAll('.search-result h2 a').length;
    return { last: last !== before && last && last.query === q.trim() ? last : null, status, shown };
  }, q);
}

// Clicks "More results" until every result is shown (or `cap` are), and
// returns the result links in order.
async function steleAll(page, cap) {
  return page.evaluate(async (cap) => {
    const root = document.querySelector('[data-stele-search]');
    const list = root.querySelector('[data-search-results]'), more = root.querySelector('[data-search-more]');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    let stuck = false;
    while (!more.hidden && list.children.length < cap) {
      const n = list.children.length;
      more.click();
      const t = performance.now();
      while (list.children.length <= n && performance.now() - t < 10000) await sleep(2);
      if (list.children.length <= n) { stuck = true; break; }
    }
    const hrefs = Array.from(list.querySelectorAll('.search-result h2 a')).map((a) => new URL(a.href).pathname);
    return { hrefs, capped: !more.hidden && !stuck, stuck };
  }, cap);
}

async function steleFresh(lang, q1, q2) {
  return fresh('stele fresh ' + (lang.prefix || '/'), async (page, net) => {
    await steleOpen(page, lang.prefix);
    const first = await steleQuery(page, q1);
    const netFirst = net.length, perfFirst = await entries(page);
    const second = await steleQuery(page, q2);
    const perfSecond = await entries(page);
    return {
      q1, q2, first, second,
      net_first: net.slice(0, netFirst), net_second: net.slice(netFirst),
      perf_first: perfFirst, perf_second: perfSecond.slice(perfFirst.length),
    };
  });
}

async function steleRecall(lang) {
  return fresh('stele queries ' + (lang.prefix || '/'), async (page) => {
    await steleOpen(page, lang.prefix);
    const out = [];
    for (const q of lang.queries) {
      const first = await steleQuery(page, q);
      const second = await steleQuery(page, q);
      const all = await steleAll(page, job.cap);
      out.push({ q, first, second, hrefs: all.hrefs, capped: all.capped, stuck: all.stuck });
    }
    return out;
  });
}

// ---- Pagefind

async function pagefindOpen(page, prefix) {
  await page.goto(job.base + prefix, { waitUntil: 'load' });
  await page.evaluate(async (bundle) => {
    window.__pf = await import(bundle + 'pagefind.js');
    await window.__pf.init();
  }, job.bundle);
}

// One query: the results, the first 10 loaded (as a results page shows them).
async function pagefindQuery(page, q, load) {
  return page.evaluate(async ({ q, load }) => {
    const t0 = performance.now();
    const r = await window.__pf.search(q);
    const ranked = performance.now();
    const urls = [];
    for (let i = 0; i < Math.min(load, r.results.length); i += 50) {
      const data = await Promise.all(r.results.slice(i, Math.min(load, i + 50)).map((x) => x.data()));
      data.forEach((d) => urls.push(new URL(d.url, location.href).pathname));
      if (i === 0) var shown = performance.now();
    }
    return { count: r.results.length, ms: ranked - t0, total: (shown || performance.now()) - t0, hrefs: urls };
  }, { q, load });
}

async function pagefindFresh(lang, q1, q2) {
  return fresh('pagefind fresh ' + (lang.prefix || '/'), async (page, net) => {
    await page.goto(job.base + lang.prefix, { waitUntil: 'load' });
    const netPage = net.length, perfPage = (await entries(page)).length;
    const first = await page.evaluate(async ({ q, bundle }) => {
      const t0 = performance.now();
      const pf = await import(bundle + 'pagefind.js');
      window.__pf = pf;
      await pf.init();
      const r = await pf.search(q);
      const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
      return { count: r.results.length, total: performance.now() - t0, hrefs: data.map((d) => d.url) };
    }, { q: q1, bundle: job.bundle });
    // Requests from the worker finish a little after the promise: let them land.
    await page.waitForTimeout(300);
    const netFirst = net.length, perfFirst = await entries(page);
    const second = await pagefindQuery(page, q2, 10);
    await page.waitForTimeout(300);
    const perfSecond = await entries(page);
    return {
      q1, q2, first, second,
      net_first: net.slice(netPage, netFirst), net_second: net.slice(netFirst),
      perf_first: perfFirst.slice(perfPage), perf_second: perfSecond.slice(perfFirst.length),
    };
  });
}

async function pagefindRecall(lang) {
  return fresh('pagefind queries ' + (lang.prefix || '/'), async (page) => {
    await pagefindOpen(page, lang.prefix);
    const out = [];
    for (const q of lang.queries) {
      const first = await pagefindQuery(page, q, 10);
      const second = await pagefindQuery(page, q, job.cap);
      out.push({ q, first, second, hrefs: second.hrefs, capped: second.count > job.cap });
    }
    return out;
  });
}

(async () => {
  const result = { languages: [], problems };
  for (const lang of job.languages) {
    const r = { prefix: lang.prefix, stele: { fresh: [] }, pagefind: { fresh: [] } };
    for (const [q1, q2] of lang.fresh) {
      r.stele.fresh.push(await steleFresh(lang, q1, q2));
      if (job.bundle) r.pagefind.fresh.push(await pagefindFresh(lang, q1, q2));
    }
    r.stele.queries = await steleRecall(lang);
    if (job.bundle) r.pagefind.queries = await pagefindRecall(lang);
    result.languages.push(r);
    process.stderr.write('   browser: ' + (lang.prefix || '/') + ' done\n');
  }
  fs.writeFileSync(process.argv[3], JSON.stringify(result));
})().catch((e) => { console.error(e); process.exit(1); });
