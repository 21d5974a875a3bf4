#!/usr/bin/env bash
# Build OUT_DIR/<component>.tar.gz reproducibly (sorted entries, fixed mtime, owner and
# modes, gzip without a timestamp): the same sources always give the same digest.
# Writes digest=sha256:... to $GITHUB_OUTPUT when it is set.
# usage: scripts/build_artifact.sh backend|frontend|llm-gateway [OUT_DIR]
set -euo pipefail

component=${1:?usage: build_artifact.sh backend|frontend|llm-gateway [OUT_DIR]}
out_dir=${2:-dist}
case $component in
  backend) sources=(backend) ;;
  llm-gateway) sources=(llm_gateway) ;;
  frontend) (cd frontend && npm run --silent build >/dev/null) && sources=(frontend/dist) ;;
  *) echo "unknown component: $component" >&2; exit 2 ;;
esac

mkdir -p "$out_dir"
artifact=$out_dir/$component.tar.gz
tar --create --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --mode=u+rwX,go=rX --exclude=__pycache__ --exclude=tests "${sources[@]}" | gzip -9n > "$artifact"
digest=sha256:$(sha256sum "$artifact" | cut -d' ' -f1)

echo "$artifact $digest, standing in for" \
  "${REGISTRY:-ghcr.io}/${IMAGE_NAME:-ai-etl}-$component:${GITHUB_SHA:-local}"
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  echo "digest=$digest" >> "$GITHUB_OUTPUT"
fi
