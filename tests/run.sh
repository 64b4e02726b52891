#!/usr/bin/env bash
# The test command: set up the tools the tests need, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo test --all-targets "$@"
# The fuzz harness (tests/fuzz.rs) for a fixed time from a fixed seed: a panic or a hang fails the run.
STELE_FUZZ_SECONDS="${STELE_FUZZ_SECONDS:-60}" STELE_FUZZ_SEED="${STELE_FUZZ_SEED:-1}" cargo test --test fuzz -- --nocapture
