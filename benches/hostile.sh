#!/usr/bin/env bash
# Hostile Markdown: time and peak memory of `stele build` on a site whose one
# article is (1) one line of 200,000 links and (2) one paragraph of 1,000,000
# `*a* `. Each case runs the release binary once per round (3 rounds) and
# prints wall time and peak RSS (GNU time). Numbers are shown, not asserted;
# src/markdown.rs says what they were when the quadratic cases were fixed.
#
#     benches/hostile.sh [--rounds N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
rounds=3
if [[ "${1:-}" == "--rounds" ]]; then rounds="$2"; fi
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
(cd "$repo" && cargo build --release --quiet)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$repo/target/release/stele" "$work/stele"

site() { # name, body generator (python expression printing the body)
    local dir="$work/$1"
    mkdir -p "$dir/content/articles" "$dir/content/institutions" "$dir/themes"
    cp -r "$repo/themes/heritage" "$dir/themes/"
    printf 'title = "Hostile"\nbase_url = "https://example.org/"\n' >"$dir/site.toml"
    printf -- '---\nname: Dunhuang Academy\ncountry: China\n---\nx\n' >"$dir/content/institutions/dunhuang-academy.md"
    {
        printf -- '---\ntitle: Hostile\ndate: 2024-01-01\ninstitutions: [Dunhuang Academy]\n---\n'
        python3 -c "import sys; sys.stdout.write($2)"
    } >"$dir/content/articles/hostile.md"
    echo "$dir"
}

for case in "links:'[a](b) ' * 200000" "emphasis:'*a* ' * 1000000"; do
    name="${case%%:*}"
    dir="$(site "$name" "${case#*:}")"
    for ((i = 1; i <= rounds; i++)); do
        rm -rf "$dir/public"
        /usr/bin/time -f "$name: %e s, peak %M KB" "$work/stele" build --root "$dir" 2>&1 >/dev/null | grep "^$name:"
    done
done
