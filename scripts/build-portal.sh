#!/usr/bin/env bash
# Builds the portal (portal/web: Vite and TypeScript) into portal/web/dist, which the node
# embeds. Installs its packages from the lockfile first when they are missing or the lockfile
# changed. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../portal/web"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || ! cmp -s <(sha256sum package-lock.json) node_modules/.medchain-lock-sha256 2>/dev/null; then
  echo "build-portal: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json >node_modules/.medchain-lock-sha256
fi
npm run --silent build
# The page's signed messages against the known-answer vectors of docs/rpc.md.
npm test --silent
echo "build-portal: $(du -sh dist | cut -f1) in portal/web/dist ($(du -b dist/assets/*.js | awk '{s+=$1} END {print s}') bytes of script)"
