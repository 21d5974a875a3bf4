#!/usr/bin/env bash
# Check docker-build's digests (BACKEND_DIGEST, FRONTEND_DIGEST, LLM_GATEWAY_DIGEST):
# each must be a sha256 digest that rebuilding the artifact from this checkout
# reproduces. It needs none of docker-build's files, which jobs do not share.
set -euo pipefail

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
for component in backend frontend llm-gateway; do
  variable=$(tr 'a-z-' 'A-Z_' <<<"$component")_DIGEST
  expected=${!variable:-}
  GITHUB_OUTPUT='' bash scripts/build_artifact.sh "$component" "$scratch" >/dev/null
  actual=sha256:$(sha256sum "$scratch/$component.tar.gz" | cut -d' ' -f1)
  if [[ ! $expected =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "::error::$variable is not a sha256 digest: '$expected'"
    failed=1
  elif [[ $actual != "$expected" ]]; then
    echo "::error::$component: docker-build reported $expected, rebuilding gives $actual"
    failed=1
  else
    echo "$component: $expected (reproduced)"
  fi
done
exit "$failed"
