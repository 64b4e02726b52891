#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, then does nothing
# on later runs. Tools that are already present are left alone.
#   - chromium + chromium-driver: browser tests of live reload
#   - fonts-noto-cjk: Chinese text in screenshots
#   - libxml2-utils (xmllint): sitemap schema validation
#   - java + the vnu-jar npm package: the Nu HTML checker
# npm packages go to target/test-tools/ (ignored by git, rebuilt on demand).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "tests/setup.sh: installing ${need_apt[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

tools=target/test-tools
if [ ! -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  echo "tests/setup.sh: installing vnu-jar into $tools" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent vnu-jar@latest >/dev/null
fi
