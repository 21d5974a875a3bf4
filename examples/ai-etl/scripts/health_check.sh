#!/usr/bin/env bash
# Serve SITE_DIR with python3 -m http.server on a free loopback port, then check with
# curl (retried while the server starts) that /api/health says "ok" and / loads.
# The server is stopped when the script exits.
# usage: scripts/health_check.sh SITE_DIR
set -euo pipefail

site=${1:?usage: health_check.sh SITE_DIR}
if [[ ! -d $site ]]; then
  echo "::error::nothing deployed at $site"
  exit 1
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
base=http://127.0.0.1:$port

for attempt in $(seq 20); do
  if health=$(curl -fsS "$base/api/health" 2>/dev/null); then break; fi
  if (( attempt == 20 )) || ! kill -0 "$server" 2>/dev/null; then
    echo "::error::$base/api/health did not answer"
    exit 1
  fi
  sleep 0.5
done
echo "GET /api/health: $health"
if [[ $health != *'"status": "ok"'* ]]; then
  echo "::error::the API is not healthy"
  exit 1
fi
curl -fsS -o /dev/null "$base/" && echo "GET /: ok"
