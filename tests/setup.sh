#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, then does nothing
# on later runs. Tools that are already present are left alone.
#   - chromium + chromium-driver: browser tests of live reload
#   - fonts-noto-cjk: Chinese text in screenshots
#   - libxml2-utils (xmllint): sitemap schema validation
#   - java: runs the Nu HTML checker
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

# npm tools, pinned to exact versions so that a new release of a validator
# cannot change the test results overnight. Bump a version here on purpose.
#   - vnu-jar: the Nu HTML checker
#   - sitemap: ships schema/sitemap.xsd, the sitemaps.org schema
#   - axe-core: the accessibility rules the browser test injects
tools=target/test-tools
npm_tools=(vnu-jar@26.9.27 sitemap@9.0.1 axe-core@4.14.1)
missing=()
for spec in "${npm_tools[@]}"; do
  name=${spec%@*}
  version=${spec##*@}
  installed=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$tools/node_modules/$name/package.json" 2>/dev/null || true)
  [ "$installed" = "$version" ] || missing+=("$spec")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/setup.sh: installing ${missing[*]} into $tools" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --save-exact --no-audit --no-fund --silent "${npm_tools[@]}" >/dev/null
fi
