#!/usr/bin/env bash
# Directory read throughput: the release binary with demo data on a fresh SQLite file (or on
# PostgreSQL with TELEMED__DATABASE__URL), loaded by wrk over loopback for a bounded time.
#   bash bench/directory.sh            # 10 s per endpoint, 32 connections, 2 threads
#   DURATION=30s CONNECTIONS=64 bash bench/directory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18555}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && TELEMED_LOG=warn exec "$OLDPWD/target/release/telemed" serve --listen "127.0.0.1:$PORT" >/dev/null) &
pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
cardio=$(curl -sf "http://127.0.0.1:$PORT/api/practitioners?specialty=cardiology" | sed -E 's/^\[\{"id":"([^"]+)".*/\1/')
for path in /health /api/organizations "/api/practitioners?specialty=cardiology" "/api/practitioners/$cardio"; do
  printf '\n== GET %s\n' "$path"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$path" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
done
