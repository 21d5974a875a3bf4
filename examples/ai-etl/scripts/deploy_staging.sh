#!/usr/bin/env bash
# Deploy this checkout to $DEPLOY_ROOT/staging: the frontend build, plus api/health and
# api/release.json naming the images the seed would run. The new release replaces
# the old one with a single rename.
set -euo pipefail

site=${DEPLOY_ROOT:?DEPLOY_ROOT is not set}/staging
release=${GITHUB_SHA:-local}
image=${REGISTRY:-ghcr.io}/${IMAGE_NAME:-ai-etl}

(cd frontend && npm run --silent build >/dev/null)
rm -rf "$site.next"
mkdir -p "$site.next/api"
cp frontend/dist/index.html frontend/dist/app.js "$site.next/"
printf '{"status": "ok", "release": "%s"}\n' "$release" > "$site.next/api/health"
printf '{"backend": "%s", "frontend": "%s", "llm-gateway": "%s"}\n' \
  "$image-backend:$release" "$image-frontend:$release" "$image-llm-gateway:$release" \
  > "$site.next/api/release.json"
rm -rf "$site"
mv "$site.next" "$site"
echo "staging: release $release deployed to $site"
