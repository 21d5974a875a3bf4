#!/usr/bin/env bash
# Blue-green release of what staging tested to $DEPLOY_ROOT/production: copy it to
# the idle colour (blue/ or green/) and point the `current` symlink at it in one
# rename. `previous` remembers the colour that rollback switches back to.
# usage: scripts/blue_green.sh deploy|rollback
set -euo pipefail

production=${DEPLOY_ROOT:?DEPLOY_ROOT is not set}/production
mkdir -p "$production"

switch_to() {
  ln -sfn "$1" "$production/current.next"
  mv -T "$production/current.next" "$production/current"
  echo "production: current -> $1"
}

case ${1:-} in
  deploy)
    live=$(readlink "$production/current" || true)
    idle=$([[ $live == blue ]] && echo green || echo blue)
    echo "$live" > "$production/previous"
    rm -rf "${production:?}/$idle"
    cp -R "$DEPLOY_ROOT/staging" "$production/$idle"
    switch_to "$idle" ;;
  rollback)
    previous=$(cat "$production/previous" 2>/dev/null || true)
    if [[ -n $previous ]]; then
      switch_to "$previous"
    else
      rm -f "$production/current"
      echo "production: the first release failed, nothing to roll back to; current removed"
    fi ;;
  *)
    echo "usage: blue_green.sh deploy|rollback" >&2
    exit 2 ;;
esac
