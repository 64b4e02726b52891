#!/usr/bin/env bash
# The test command: set up the tools the tests need, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo test --all-targets "$@"
