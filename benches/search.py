#!/usr/bin/env python3
"""stele's search benchmark, side by side with Pagefind.

Builds the trilingual benchmark corpus (../shared/bench/gen_corpus.py, N
articles in English with French and Chinese translations) with a private copy
of the release binary, indexes the same built site with Pagefind, serves it on
127.0.0.1 and drives Debian's Chromium with playwright-core. It reports:

  indexing  stele: median build time with the search index minus median build
            time without it (the same corpus with a copy of the theme without
            templates/search.html, so stele writes no search files);
            Pagefind: `python3 -m pagefind --site OUT`; --runs runs each
  size      files and bytes of each index (stele: every `search/` folder;
            Pagefind: its bundle folder), and the sum of each file gzipped (-6)
  first     bytes fetched for a first query in a fresh browser profile (the
            search script and index files: as served, and gzipped from disk)
            and the requests it made; then the requests of a further query
  speed     stele: steleSearch.last.ms of the second run of each query;
            Pagefind: the time of a second pf.search(q)
  recall    on one query set, per kind: English words, French words written
            without their accents, Chinese substrings of 2-4 Han characters,
            English words with one typo. Multi-word queries (the corpus has a
            template vocabulary: no single word is in few articles); relevant =
            the articles of the language whose title and body (built HTML)
            contain every word (folded: case and accents ignored; for a typo,
            the correct word), or the exact Chinese substring, and only queries
            with 1 to 60 relevant articles. recall = mean fraction of the
            relevant articles among all results, found@10 = fraction of queries
            with a relevant article in the first 10.

Every browser measurement uses a new, empty profile. The browser half is
search_browser.js beside this file. Tools go to target/search-bench-tools/
(pinned versions: pip's pagefind[extended] and npm's playwright-core),
installed on the first run. Numbers are shown, never asserted: the budgets are
printed beside them.
"""

import argparse
import datetime
import functools
import gzip
import html
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (measure, check, log, formatting: the build benchmark's helpers)
from bench import BenchError, log, fmt_n  # noqa: E402

REPO = bench.REPO
TOOLS = os.path.join(REPO, "target", "search-bench-tools")
PAGEFIND_VERSION = "1.5.2"
PLAYWRIGHT_VERSION = "1.65.1"
CHROMIUM = "/usr/bin/chromium"
LANGS = [("en", ""), ("fr", "fr/"), ("zh", "zh/")]
KINDS = [("english", "en", "English words"), ("french", "fr", "French, no accents"),
         ("chinese", "zh", "Chinese substrings"), ("typo", "en", "English, one typo")]

# Budgets (shown, not asserted).
BUDGET_INDEX_SHARE = 0.20  # the index adds at most 20% to the build time
BUDGET_FIRST_BYTES = 150 * 1000  # first query, script included
BUDGET_FURTHER_REQUESTS = 3
BUDGET_QUERY_MS = 50.0
MAX_RELEVANT = 60


# ---------------------------------------------------------------- tools


def install_tools():
    """pagefind (PyPI) and playwright-core (npm) into target/search-bench-tools, once."""
    py = os.path.join(TOOLS, "py")
    if not os.path.isdir(os.path.join(py, "pagefind-%s.dist-info" % PAGEFIND_VERSION)):
        log("== pip install pagefind[extended]==%s into %s" % (PAGEFIND_VERSION, py))
        shutil.rmtree(py, ignore_errors=True)
        r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--target", py, "pagefind[extended]==%s" % PAGEFIND_VERSION])
        if r.returncode != 0:
            raise BenchError("pip install pagefind failed")
    node = os.path.join(TOOLS, "node")
    pkg = os.path.join(node, "node_modules", "playwright-core", "package.json")
    installed = json.load(open(pkg)).get("version") if os.path.exists(pkg) else None
    if installed != PLAYWRIGHT_VERSION:
        log("== npm install playwright-core@%s into %s" % (PLAYWRIGHT_VERSION, node))
        os.makedirs(node, exist_ok=True)
        r = subprocess.run(["npm", "install", "--prefix", node, "--save-exact", "--no-audit", "--no-fund", "--silent",
                            "playwright-core@%s" % PLAYWRIGHT_VERSION])
        if r.returncode != 0:
            raise BenchError("npm install playwright-core failed")
    if not os.path.exists(CHROMIUM):
        log("== apt-get install chromium")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"])
        r = subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if r.returncode != 0:
            raise BenchError("apt-get install chromium failed")
    return py, os.path.join(node, "node_modules", "playwright-core")


# ---------------------------------------------------------------- the site


def corpus(args, work):
    """The generated corpus: --corpus as it is, else generated (or reused) in the work folder."""
    if args.corpus:
        if not os.path.exists(os.path.join(args.corpus, "site.toml")):
            raise BenchError("%s is not a generated corpus (no site.toml)" % args.corpus)
        return os.path.abspath(args.corpus)
    out = os.path.join(work, "corpus-stele-%d-en-fr-zh" % args.n)
    stamp_path = os.path.join(out, ".bench-stamp")
    stamp = "%s n=%d seed=%d fmt=stele languages=en,fr,zh" % (bench.file_hash(args.gen), args.n, args.seed)
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        log("== reusing the corpus in %s" % out)
        return out
    log("== generating the corpus, N=%s, en,fr,zh" % fmt_n(args.n))
    t = time.perf_counter()
    r = subprocess.run([sys.executable, args.gen, "--n", str(args.n), "--seed", str(args.seed), "--format", "stele",
                        "--languages", "en,fr,zh", "--theme-from", REPO, "--out", out, "--force"])
    if r.returncode != 0:
        raise BenchError("gen_corpus.py failed")
    with open(stamp_path, "w") as f:
        f.write(stamp)
    log("   %.1f s" % (time.perf_counter() - t))
    return out


def site_roots(src, work):
    """Two sites over the corpus's content, with this repository's current theme:
    one as it is, one without templates/search.html (so no search files)."""
    roots = []
    for name, search in (("site-search", True), ("site-nosearch", False)):
        root = os.path.join(work, name)
        bench.rm_tree(root)
        os.makedirs(root)
        shutil.copy2(os.path.join(src, "site.toml"), root)
        # Hard links when they can be made (stele refuses symbolic links leaving the site).
        if subprocess.run(["cp", "-al", os.path.join(src, "content"), os.path.join(root, "content")],
                          capture_output=True).returncode != 0:
            bench.rm_tree(os.path.join(root, "content"))
            shutil.copytree(os.path.join(src, "content"), os.path.join(root, "content"))
        shutil.copytree(os.path.join(REPO, "themes"), os.path.join(root, "themes"))
        if not search:
            removed = 0
            for top, _, files in os.walk(os.path.join(root, "themes")):
                if os.path.basename(top) == "templates" and "search.html" in files:
                    os.remove(os.path.join(top, "search.html"))
                    removed += 1
            if not removed:
                raise BenchError("no templates/search.html in the theme: cannot build without search")
        roots.append(root)
    return roots


def tree_files(path):
    out = []
    for top, _, files in os.walk(path):
        for f in files:
            out.append(os.path.join(top, f))
    return out


def gz_size(path, cache={}):
    if path not in cache:
        with open(path, "rb") as f:
            cache[path] = len(gzip.compress(f.read(), 6, mtime=0))
    return cache[path]


def index_size(files):
    return {"files": len(files), "bytes": sum(os.path.getsize(f) for f in files), "gzip": sum(gz_size(f) for f in files)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- ground truth and queries

INLINE = re.compile(r"</?(?:a|em|strong|span|code|i|b|abbr|mark|sup|sub|small|time)\b[^>]*>")
TAG = re.compile(r"<[^>]+>")
LATIN_WORD = re.compile(r"[^\W\d_]+")
HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
FOLD = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ı": "i"}
STOP = set("that this with from have will their they them there these which were into also about after "
           "been more than such other each both over".split())


@functools.lru_cache(maxsize=None)
def fold(word):
    word = unicodedata.normalize("NFD", word.lower())
    word = "".join(c for c in word if not unicodedata.combining(c))
    return "".join(FOLD.get(c, c) for c in word)


def text_of(fragment):
    return html.unescape(TAG.sub(" ", INLINE.sub("", fragment)))


def article(path):
    """(title, body) of a built article page: its h1 and its prose."""
    s = open(path, encoding="utf-8").read()
    a = s.find("<article")
    b = s.find('<footer class="article-footer">', a)
    seg = s[a:b if b > 0 else len(s)]
    m = re.search(r"<h1[^>]*>(.*?)</h1>", seg, re.S)
    p = seg.find('class="prose"')
    return (text_of(m.group(1)) if m else ""), text_of(seg[p:] if p >= 0 else seg)


def articles(out, prefix):
    d = os.path.join(out, prefix + "articles")
    docs = {}
    for e in sorted(os.listdir(d)):
        f = os.path.join(d, e, "index.html")
        if e != "page" and os.path.isfile(f):
            docs["/%sarticles/%s/" % (prefix, e)] = article(f)
    return docs


class Truth:
    """The articles of one language, for ground truth."""

    def __init__(self, docs):
        self.urls = list(docs)
        self.texts = [t + "\n" + b for t, b in docs.values()]
        self.bodies = [b for _, b in docs.values()]
        self.words = []  # per document: its folded words, as they are spelled -> folded
        self.postings = {}
        for i, text in enumerate(self.texts):
            spelled = {w: fold(w) for w in sorted(set(LATIN_WORD.findall(text.lower())))}
            self.words.append(spelled)
            for f in set(spelled.values()):
                self.postings.setdefault(f, set()).add(i)

    def with_all(self, folded_words):
        sets = sorted((self.postings.get(w, set()) for w in folded_words), key=len)
        return set.intersection(*sets) if sets else set()

    def with_substring(self, s, most=None):
        """The articles with the Han substring s (of 2 characters or more); None
        if more than 5 * `most` articles have all its pairs (surely too many)."""
        if not hasattr(self, "pairs"):  # Han character pair -> articles: candidates first
            self.pairs = {}
            for i, t in enumerate(self.texts):
                for run in HAN_RUN.findall(t):
                    for p in {run[j:j + 2] for j in range(len(run) - 1)}:
                        self.pairs.setdefault(p, set()).add(i)
        cands = set.intersection(*(self.pairs.get(s[j:j + 2], set()) for j in range(len(s) - 1)))
        if most is not None and len(cands) > 5 * most:
            return None
        return {i for i in cands if s in self.texts[i]}


def latin_query(rng, truth, accents, min_len=4):
    """Words of one random article whose conjunction is in 1..60 articles: (spelled words, relevant ids)."""
    for _ in range(20000):
        i = rng.randrange(len(truth.texts))
        cands = [(w, f) for w, f in truth.words[i].items() if len(f) >= min_len and f not in STOP]
        if accents:
            first = [(w, f) for w, f in cands if w != f]
            if not first:
                continue
            chosen = [rng.choice(first)]
        else:
            chosen = []
        rng.shuffle(cands)
        cands.sort(key=lambda wf: len(truth.postings[wf[1]]))  # rarer words first
        pool = cands[: max(6, len(cands) // 3)]
        rng.shuffle(pool)
        for w, f in pool:
            if len(chosen) >= 2 and len(truth.with_all([c[1] for c in chosen])) <= MAX_RELEVANT:
                break
            if f not in {c[1] for c in chosen}:
                chosen.append((w, f))
            if len(chosen) >= 4:
                break
        rel = truth.with_all([c[1] for c in chosen])
        if len(chosen) >= 2 and 1 <= len(rel) <= MAX_RELEVANT:
            return chosen, rel
    raise BenchError("could not find a query with 1..%d relevant articles" % MAX_RELEVANT)


def typo(rng, word, known):
    for _ in range(100):
        i = rng.randrange(1, len(word) - 1)
        op = rng.choice(["swap", "drop", "replace"])
        if op == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
            t = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif op == "drop":
            t = word[:i] + word[i + 1:]
        elif op == "replace":
            t = word[:i] + rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[i]]) + word[i + 1:]
        else:
            continue
        if t != word and t not in known:
            return t
    return None


def make_queries(out, per_kind, seed):
    """The query set: {lang: [query dict]}, each {q, kind, relevant (urls)}."""
    rng = random.Random(seed)
    truths = {lang: Truth(articles(out, prefix)) for lang, prefix in LANGS}
    known_en = set(truths["en"].postings)
    try:  # every word stele knows in English, so that a typo is never a real word
        known_en |= set(json.load(open(os.path.join(out, "search", "words.json"))).split())
    except (OSError, ValueError):
        pass
    queries = {lang: [] for lang, _ in LANGS}
    seen = set()

    def add(lang, kind, q, rel, extra=None):
        if q in seen:
            return False
        seen.add(q)
        t = truths[lang]
        d = {"q": q, "kind": kind, "relevant": sorted(t.urls[i] for i in rel)}
        d.update(extra or {})
        queries[lang].append(d)
        return True

    for kind, lang, _ in KINDS:
        t, made, tries = truths[lang], 0, 0
        while made < per_kind:
            tries += 1
            if tries > per_kind * 500:
                raise BenchError("could not make %d %s queries" % (per_kind, kind))
            if kind == "chinese":
                i = rng.randrange(len(t.bodies))
                runs = HAN_RUN.findall(t.bodies[i])
                if not runs:
                    continue
                run = rng.choice(runs)
                n = rng.randint(2, min(4, len(run)))
                start = rng.randrange(len(run) - n + 1)
                s = run[start:start + n]
                rel = t.with_substring(s, MAX_RELEVANT)
                if rel and 1 <= len(rel) <= MAX_RELEVANT and add(lang, kind, s, rel):
                    made += 1
            elif kind == "typo":
                chosen, rel = latin_query(rng, t, False, min_len=5)
                k = rng.randrange(len(chosen))
                wrong = typo(rng, chosen[k][1], known_en) if len(chosen[k][1]) >= 5 else None
                if not wrong:
                    continue
                words = [w for w, _ in chosen]
                words[k] = wrong
                if add(lang, kind, " ".join(words), rel, {"correct": chosen[k][1], "typo": wrong}):
                    made += 1
            else:
                chosen, rel = latin_query(rng, t, kind == "french")
                words = [f if kind == "french" else w for w, f in chosen]
                if add(lang, kind, " ".join(words), rel):
                    made += 1
    return queries, {lang: len(t.urls) for lang, t in truths.items()}


# ---------------------------------------------------------------- analysis


def path_of(url):
    return urllib.request.urlparse(url).path


def first_query_cost(run, out, keep):
    """Bytes (as served, gzipped from disk) and requests of a fresh first query, and of the further query."""
    def cost(net):
        files = [e for e in net if keep(path_of(e["url"]))]
        disk = [os.path.join(out, path_of(e["url"]).lstrip("/")) for e in files]
        disk = [p for p in disk if os.path.isfile(p)]
        # http.server sends the files as they are: what was served is their size on disk
        # (the browser reports no body size for a worker's script).
        return {"requests": len(files), "bytes": sum(os.path.getsize(p) for p in disk),
                "gzip": sum(gz_size(p) for p in disk), "reported_bytes": sum(e["bytes"] or 0 for e in files),
                "urls": [path_of(e["url"]) for e in files]}
    first, further = cost(run["net_first"]), cost(run["net_second"])
    first["perf_api_bytes"] = sum(e["decoded"] for e in run["perf_first"] if keep(path_of(e["url"])))
    further["perf_api_bytes"] = sum(e["decoded"] for e in run["perf_second"] if keep(path_of(e["url"])))
    return first, further


def med(xs):
    return statistics.median(xs) if xs else None


def recall_stats(qs, results, tool):
    rows = []
    for q, r in zip(qs, results):
        rel = set(q["relevant"])
        hrefs = r["hrefs"]
        found = rel & set(hrefs)
        row = {"q": q["q"], "kind": q["kind"], "relevant": len(rel), "found": len(found),
               "recall": len(found) / len(rel), "found10": bool(rel & set(hrefs[:10])),
               "precision10": len(rel & set(hrefs[:10])) / min(10, len(rel)),
               "capped": r.get("capped", False), "top10": hrefs[:10]}
        if tool == "stele":
            s = r["second"]
            row["results"] = parse_count(r["second"]["status"])
            row["shown"] = len(hrefs)
            row["ms"] = s["last"]["ms"] if s["last"] else None
            row["first_total_ms"] = r["first"]["last"]["total"] if r["first"]["last"] else None
            row["failed"] = not (r["first"]["last"] and s["last"])
            row["status"] = s["status"]
            if r.get("stuck"):
                row["stuck"] = True
        else:
            row["results"] = r["second"]["count"]
            row["shown"] = len(hrefs)
            row["ms"] = r["second"]["ms"]
            row["failed"] = False
        rows.append(row)
    return rows


def parse_count(status):
    m = re.search(r"\d[\d,\u00a0\u202f ]*", status or "")
    return int(re.sub(r"\D", "", m.group(0))) if m else 0


# ---------------------------------------------------------------- the run


def server(out, port):
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    want = open(os.path.join(out, "search", "meta.json"), "rb").read()
    while time.time() < deadline and proc.poll() is None:
        try:  # our server, serving our site (not another one that took the port)
            if urllib.request.urlopen("http://127.0.0.1:%d/search/meta.json" % port, timeout=2).read() == want:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    if proc.poll() is None:
        proc.terminate()
    raise BenchError("http.server did not start on port %d" % port)


def run(args, work):
    py, playwright = install_tools()
    binary = bench.build_stele(argparse.Namespace(bin=args.bin, no_build=True), work)
    header = [
        ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("stele", "%s (commit %s%s)" % ((bench.sh_out([binary, "--version"]).splitlines() or ["?"])[0],
                                       bench.sh_out(["git", "rev-parse", "--short", "HEAD"], cwd=REPO) or "?",
                                       ", work tree modified" if bench.sh_out(["git", "status", "--porcelain", "--", "src", "themes"], cwd=REPO) else "")),
        ("pagefind", "pagefind[extended] %s (PyPI)" % PAGEFIND_VERSION),
        ("browser", "%s, playwright-core %s" % (bench.sh_out([CHROMIUM, "--version"]), PLAYWRIGHT_VERSION)),
        ("machine", "%s cores, %s" % (os.cpu_count(), bench.cpu_model())),
        ("load", "load average at start %s" % open("/proc/loadavg").read().split()[0]),
    ]
    for k, v in header:
        log("   %-8s %s" % (k, v))
    src = corpus(args, work)
    root_s, root_n = site_roots(src, work)
    fast = os.path.join(work, "tmpfs")
    os.makedirs(fast, exist_ok=True)
    mounted = False
    if not args.no_tmpfs and os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % args.tmpfs_size, "tmpfs", fast],
                                 capture_output=True).returncode == 0
    if not mounted:
        log("!! no tmpfs: outputs go to %s on disk (build times include the disk)" % fast)
    res = {"header": dict(header), "tmpfs": mounted}
    srv = None
    try:
        port = free_port()
        base = "http://127.0.0.1:%d/" % port
        out_s, out_n = os.path.join(fast, "out"), os.path.join(fast, "out-nosearch")

        def build(root, out):
            bench.rm_tree(out)
            return bench.check(bench.measure([binary, "build", "--root", root, "--output", out, "--base-url", base]),
                               "stele build --root %s" % root)

        # 1. Indexing time: one warm-up each, then alternating timed builds.
        log("== stele builds: with and without search, %d timed runs each" % args.runs)
        build(root_s, out_s)
        build(root_n, out_n)
        with_s, without_s = bench.Series("with search"), bench.Series("without search")
        for i in range(args.runs):
            order = [(root_s, out_s, with_s), (root_n, out_n, without_s)]
            if i % 2:
                order.reverse()
            for root, out, series in order:
                r = build(root, out)
                series.add(r)
                log("   run %d %-14s wall %s  cpu %s  rss %s  (other load %.2f cores)"
                    % (i + 1, series.name, bench.fmt_s(r.wall), bench.fmt_s(r.cpu), bench.fmt_mb(r.rss), r.other))
        if os.path.exists(os.path.join(out_n, "search")):
            raise BenchError("the build without templates/search.html still wrote search files")
        bench.rm_tree(out_n)
        res["stele_build"] = {"with": [r.wall for r in with_s.runs], "without": [r.wall for r in without_s.runs],
                              "rss_with": [r.rss for r in with_s.runs], "rss_without": [r.rss for r in without_s.runs],
                              "other": [r.other for r in with_s.runs + without_s.runs]}
        stele_files = []
        per_lang = {}
        for lang, prefix in LANGS:
            files = tree_files(os.path.join(out_s, prefix + "search"))
            if not files:
                raise BenchError("no %ssearch/ folder in the output" % prefix)
            per_lang[lang] = index_size(files)
            stele_files += files
        res["stele_size"] = dict(index_size(stele_files), per_language=per_lang)

        # Pagefind on the same built site.
        bundle = None
        if not args.no_pagefind:
            log("== pagefind --site OUT, %d runs" % args.runs)
            env = dict(os.environ, PYTHONPATH=py)
            pf = bench.Series("pagefind")
            for i in range(args.runs):
                for name in ("pagefind", "_pagefind"):
                    bench.rm_tree(os.path.join(out_s, name))
                r = bench.check(bench.measure([sys.executable, "-m", "pagefind", "--site", out_s], env=env),
                                "pagefind --site")
                pf.add(r)
                log("   run %d pagefind wall %s  cpu %s  rss %s  (other load %.2f cores)"
                    % (i + 1, bench.fmt_s(r.wall), bench.fmt_s(r.cpu), bench.fmt_mb(r.rss), r.other))
            bundle = next(n for n in ("pagefind", "_pagefind") if os.path.exists(os.path.join(out_s, n, "pagefind.js")))
            m = re.search(r"Indexed ([\d,]+) pages", pf.runs[-1].stderr)
            res["pagefind_build"] = {"wall": [r.wall for r in pf.runs], "rss": [r.rss for r in pf.runs],
                                     "other": [r.other for r in pf.runs], "pages": m.group(1) if m else None,
                                     "log_tail": pf.runs[-1].stderr.strip().splitlines()[-14:]}
            res["pagefind_size"] = index_size(tree_files(os.path.join(out_s, bundle)))

        # Queries, from the built article pages.
        log("== queries: %d per kind, seed %d" % (args.per_kind, args.query_seed))
        queries, docs = make_queries(out_s, args.per_kind, args.query_seed)
        res["articles"] = docs

        # The browser.
        srv = server(out_s, port)
        jobf = os.path.join(work, "browser-job.json")
        resf = os.path.join(work, "browser-result.json")
        tmp = os.path.join(work, "profiles")
        os.makedirs(tmp, exist_ok=True)
        job = {"playwright": playwright, "chromium": CHROMIUM, "base": base, "tmp": tmp, "cap": args.cap,
               "bundle": "/%s/" % bundle if bundle else None, "languages": []}
        for lang, prefix in LANGS:
            qs = [q["q"] for q in queries[lang]]
            # Fresh pairs: alternate the kinds of the language (en: words, typos).
            order = []
            kinds = [k for k, l, _ in KINDS if l == lang]
            by_kind = [[q["q"] for q in queries[lang] if q["kind"] == k] for k in kinds]
            for i in range(max(len(b) for b in by_kind)):
                for b in by_kind:
                    if i < len(b):
                        order.append(b[i])
            pairs = [(order[2 * i], order[2 * i + 1]) for i in range(min(args.fresh, len(order) // 2))]
            job["languages"].append({"prefix": prefix, "queries": qs, "fresh": pairs})
        with open(jobf, "w") as f:
            json.dump(job, f)
        log("== browser: %d fresh first queries per language and tool, then %d queries per tool"
            % (args.fresh, sum(len(v) for v in queries.values())))
        t = time.perf_counter()
        r = subprocess.run(["node", os.path.join(HERE, "search_browser.js"), jobf, resf])
        if r.returncode != 0:
            raise BenchError("search_browser.js failed")
        log("   %.0f s" % (time.perf_counter() - t))
        browser = json.load(open(resf))
        res["problems"] = browser["problems"]

        res["first"] = {}
        res["queries"] = {"stele": [], "pagefind": []}
        for (lang, prefix), b in zip(LANGS, browser["languages"]):
            keep_s = lambda p, prefix=prefix: p == "/search/search.js" or (
                p.startswith("/" + prefix + "search/") and not p.endswith("/") and not p.endswith(".html"))
            keep_p = lambda p: p.startswith("/%s/" % bundle)
            for tool, keep in (("stele", keep_s), ("pagefind", keep_p)):
                runs = []
                for f in b[tool]["fresh"]:
                    first, further = first_query_cost(f, out_s, keep)
                    entry = {"q1": f["q1"], "q2": f["q2"], "first": first, "further": further}
                    if tool == "stele":
                        entry["last1"], entry["last2"] = f["first"]["last"], f["second"]["last"]
                    else:
                        entry["first_total_ms"] = f["first"]["total"]
                    runs.append(entry)
                res["first"].setdefault(tool, {})[lang] = runs
                if b[tool].get("queries") is not None:
                    res["queries"][tool] += recall_stats(queries[lang], b[tool]["queries"], tool)
        return res, header, mounted
    finally:
        if srv:
            srv.terminate()
            srv.wait()
        if mounted:
            bench.unmount(fast)


# ---------------------------------------------------------------- report


def kb(n):
    return "-" if n is None else "%.1f KB" % (n / 1000)


def mb(n):
    return "%.1f MB" % (n / 1e6)


def summary(res):
    """The side-by-side figures, as a dict (also the JSON's "summary")."""
    s = {}
    b = res["stele_build"]
    w, wo = med(b["with"]), med(b["without"])
    s["stele_build_with"], s["stele_build_without"] = w, wo
    s["stele_index_time"] = w - wo
    s["stele_index_share"] = (w - wo) / wo
    if "pagefind_build" in res:
        s["pagefind_index_time"] = med(res["pagefind_build"]["wall"])
    for tool in ("stele", "pagefind"):
        for lang, runs in res["first"].get(tool, {}).items():
            if not runs:
                continue
            s["%s_first_%s" % (tool, lang)] = {
                "bytes_median": med([r["first"]["bytes"] for r in runs]), "bytes_max": max(r["first"]["bytes"] for r in runs),
                "gzip_median": med([r["first"]["gzip"] for r in runs]), "gzip_max": max(r["first"]["gzip"] for r in runs),
                "requests_median": med([r["first"]["requests"] for r in runs]),
                "requests_max": max(r["first"]["requests"] for r in runs),
                "further_requests_median": med([r["further"]["requests"] for r in runs]),
                "further_requests_max": max(r["further"]["requests"] for r in runs),
            }
        rows = res["queries"].get(tool) or []
        for kind, _, _ in KINDS:
            k = [r for r in rows if r["kind"] == kind]
            if not k:
                continue
            ms = [r["ms"] for r in k if r["ms"] is not None]
            s["%s_%s" % (tool, kind)] = {
                "queries": len(k), "recall": statistics.mean(r["recall"] for r in k),
                "found10": statistics.mean(1.0 if r["found10"] else 0.0 for r in k),
                "precision10": statistics.mean(r["precision10"] for r in k),
                "relevant_mean": statistics.mean(r["relevant"] for r in k),
                "results_median": med([r["results"] for r in k]),
                "ms_median": med(ms), "ms_max": max(ms) if ms else None,
                "failed": sum(1 for r in k if r["failed"]), "capped": sum(1 for r in k if r["capped"]),
            }
        ms = [r["ms"] for r in rows if r["ms"] is not None]
        if ms:
            s["%s_ms" % tool] = {"median": med(ms), "max": max(ms), "over_budget": sum(1 for x in ms if x > BUDGET_QUERY_MS)}
    return s


def report(res, header, mounted, args):
    s = summary(res)
    pf = "pagefind_build" in res
    L = []
    p = L.append
    p("")
    p("stele search benchmark, N=%s articles (en,fr,zh): %s" % (fmt_n(args.n), ", ".join(
        "%s %s" % (fmt_n(v), k) for k, v in res["articles"].items())))
    for k, v in header:
        p("  %-9s %s" % (k + ":", v))
    p("  output:   %s; %d runs per timing" % ("tmpfs" if mounted else "DISK (no tmpfs)", args.runs))
    p("")
    W = [34, 30, 30, 20]

    def row(*c):
        p("  ".join(str(x).ljust(w) for x, w in zip(c, W)).rstrip())

    row("", "stele", "Pagefind" if pf else "(Pagefind skipped)", "budget")
    row("-" * W[0], "-" * W[1], "-" * W[2], "-" * W[3])
    b = res["stele_build"]
    row("build without search (median)", bench.fmt_s(s["stele_build_without"]) + " [%.2f-%.2f]" % (min(b["without"]), max(b["without"])), "", "")
    row("build with search (median)", bench.fmt_s(s["stele_build_with"]) + " [%.2f-%.2f]" % (min(b["with"]), max(b["with"])), "", "")
    pft = res.get("pagefind_build", {}).get("wall", [])
    row("indexing time", "%s (+%.0f%% of the build)" % (bench.fmt_s(s["stele_index_time"]), 100 * s["stele_index_share"]),
        ("%s [%.1f-%.1f], %s pages" % (bench.fmt_s(s["pagefind_index_time"]), min(pft), max(pft), res["pagefind_build"]["pages"])) if pf else "",
        "<= +%.0f%% of the build" % (100 * BUDGET_INDEX_SHARE))
    ss = res["stele_size"]
    ps = res.get("pagefind_size")
    row("index files", fmt_n(ss["files"]), fmt_n(ps["files"]) if ps else "", "")
    row("index bytes (gzip -6 per file)", "%s (%s)" % (mb(ss["bytes"]), mb(ss["gzip"])),
        "%s (%s)" % (mb(ps["bytes"]), mb(ps["gzip"])) if ps else "", "")
    for lang, _ in LANGS:
        def first(tool):
            f = s.get("%s_first_%s" % (tool, lang))
            if not f:
                return ""
            return "%s / gz %s, %g req" % (kb(f["bytes_median"]), kb(f["gzip_median"]), f["requests_median"])

        def first_max(tool):
            f = s.get("%s_first_%s" % (tool, lang))
            return "" if not f else "max %s / gz %s, %d req" % (kb(f["bytes_max"]), kb(f["gzip_max"]), f["requests_max"])

        row("first query %s (median of %d)" % (lang, len(res["first"]["stele"][lang])), first("stele"), first("pagefind"),
            "<= %s incl. script" % kb(BUDGET_FIRST_BYTES))
        row("", first_max("stele"), first_max("pagefind"), "")
    for lang, _ in LANGS:
        def further(tool):
            f = s.get("%s_first_%s" % (tool, lang))
            return "" if not f else "median %g, max %d" % (f["further_requests_median"], f["further_requests_max"])
        row("further query requests %s" % lang, further("stele"), further("pagefind"), "<= %d" % BUDGET_FURTHER_REQUESTS)
    sm, pm = s.get("stele_ms"), s.get("pagefind_ms")
    row("query time, 2nd run (median, max)",
        "%.1f ms, %.1f ms (%d over)" % (sm["median"], sm["max"], sm["over_budget"]) if sm else "",
        "%.1f ms, %.1f ms (%d over; search())" % (pm["median"], pm["max"], pm["over_budget"]) if pm else "", "<= %.0f ms" % BUDGET_QUERY_MS)
    for kind, _, label in KINDS:
        st, pg = s.get("stele_" + kind), s.get("pagefind_" + kind)

        def rc(x):
            return "" if not x else "%.2f / %.2f  (P@10 %.2f)" % (x["recall"], x["found10"], x["precision10"])
        n = st["queries"] if st else 0
        row("recall / found@10: %s" % label, rc(st), rc(pg), "")
        row("  %d q, mean %.1f relevant; results" % (n, st["relevant_mean"] if st else 0),
            "median %g%s" % (st["results_median"], ", %d failed" % st["failed"] if st["failed"] else "") if st else "",
            "median %g%s" % (pg["results_median"], ", %d capped" % pg["capped"] if pg["capped"] else "") if pg else "", "")
    p("")
    p("first query: the search script and the index files fetched (stele: %ssearch/ files and /search/search.js;"
      % "<prefix>")
    p("Pagefind: its bundle, its worker included), as served (Pagefind's index files are gzipped at rest)")
    p("and gzipped from disk; the page itself and its CSS are not counted. P@10: relevant among the first 10,")
    p("over min(10, relevant). results: how many results the query had (stele: its status line).")
    other = res["stele_build"]["other"] + res.get("pagefind_build", {}).get("other", [])
    if other and max(other) > 0.2:
        p("WARNING: other processes used up to %.2f cores during the timed runs; rerun on a quiet machine." % max(other))
    probs = res.get("problems") or []
    if probs:
        p("")
        p("browser problems (%d): console errors and warnings, page errors, failed requests:" % len(probs))
        seen = {}
        for pr in probs:
            key = (pr["where"].split(" ")[0], pr["kind"], pr["text"][:160])
            seen[key] = seen.get(key, 0) + 1
        for (tool, kind, text), c in list(seen.items())[:15]:
            p("  %s %s x%d: %s" % (tool, kind, c, text))
    return "\n".join(L)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="benches/search.py", description=__doc__.split("\n\n", 1)[1].split("\n\nEvery browser")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  benches/search.py                               generate the corpus in a temporary folder, run, print
  benches/search.py --work /var/tmp/sb --json r.json   keep the corpus there (reused next time), save JSON
  benches/search.py --corpus /tmp/benchml/corpus-stele-10000-en-fr-zh   use a generated corpus as it is
""")
    ap.add_argument("--n", type=int, default=10000, help="articles (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--corpus", metavar="DIR", help="an already generated corpus (gen_corpus.py --format stele "
                    "--languages en,fr,zh); only read: the theme built is this repository's")
    ap.add_argument("--work", metavar="DIR", help="work folder, kept (default: a temporary folder removed at exit)")
    ap.add_argument("--runs", type=int, default=3, help="timed builds and Pagefind runs (default 3)")
    ap.add_argument("--per-kind", type=int, default=20, help="queries per kind (default 20)")
    ap.add_argument("--query-seed", type=int, default=7, help="seed of the query set (default 7)")
    ap.add_argument("--fresh", type=int, default=4, help="fresh-profile first queries per language and tool (default 4)")
    ap.add_argument("--cap", type=int, default=1000, help="results collected per query at most (default 1000)")
    ap.add_argument("--no-pagefind", action="store_true", help="stele only")
    ap.add_argument("--bin", metavar="PATH", help="this stele binary (default: a copy of target/release/stele)")
    ap.add_argument("--no-tmpfs", action="store_true", help="outputs on disk")
    ap.add_argument("--tmpfs-size", default="6g")
    ap.add_argument("--gen", default=bench.DEFAULT_GEN, help="the corpus generator")
    ap.add_argument("--json", metavar="FILE", help="write the results (with every query) as JSON")
    args = ap.parse_args(argv)
    args.gen = os.path.abspath(args.gen)
    if not args.corpus and not os.path.exists(args.gen):
        ap.error("the corpus generator %s does not exist" % args.gen)
    return args


def main(argv):
    args = parse_args(argv)
    work, keep = bench.start(args, "stele-search-bench-")

    def body():
        if not args.bin and not os.path.exists(os.path.join(REPO, "target", "release", "stele")):
            log("== cargo build --release (no release binary)")
            if subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO).returncode != 0:
                raise BenchError("cargo build --release failed")
        res, header, mounted = run(args, work)
        res["summary"] = summary(res)
        print(report(res, header, mounted, args), flush=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1, ensure_ascii=False)
        return 0

    def cleanup():
        for name in ("site-search", "site-nosearch", "profiles"):
            shutil.rmtree(os.path.join(work, name), ignore_errors=True)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    return bench.guarded(body, cleanup)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
