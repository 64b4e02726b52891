#!/usr/bin/env bash
# stele's build benchmark: stele (and Hugo, when installed) at N = 1,000 and
# 10,000 articles (100,000 with --large), output on a tmpfs, median of 5 runs.
# `benches/run.sh --help` explains every option; the work is done by bench.py
# beside this file (Python 3 standard library only).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/bench.py" "$@"
