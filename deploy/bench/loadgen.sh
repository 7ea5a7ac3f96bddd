#!/usr/bin/env bash
# Measures `incubot serve` under cmd/loadgen (concurrent chats over the HTTP
# API) on a native PostgreSQL and on the embedded PGlite, one after the other
# in one run, with the same binary, corpus and load, so the two figures can
# be compared.
#
#   deploy/bench/loadgen.sh 'postgres://incubot:incubot@127.0.0.1:55432/incubot?sslmode=disable'
#
# The native run works in a throwaway schema of that database (dropped at
# the end); without a URL only PGlite is measured. CHATS and MESSAGES (per
# chat) set the load: 50 × 20 by default.
set -euo pipefail
cd "$(dirname "$0")/../.."

url=${1:-}
chats=${CHATS:-50}
messages=${MESSAGES:-20}
token=loadgen-token-0123456789abcdef
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/incubot" ./cmd/incubot
go build -o "$work/loadgen" ./cmd/loadgen

# run NAME: migrates, loads the sample corpus, starts serve, runs loadgen
# and stops serve. The environment says which database.
run() {
	local name=$1 port=$2 pid
	echo "== $name ($(uptime | sed 's/.*load/load/'))"
	"$work/incubot" migrate >/dev/null
	"$work/incubot" kb add deploy/sample/policies >/dev/null
	INCUBOT_HTTP_TOKEN=$token "$work/incubot" serve --http "127.0.0.1:$port" 2>"$work/$name.log" &
	pid=$!
	for _ in $(seq 1 120); do
		curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
		sleep 0.5
	done
	"$work/loadgen" -url "http://127.0.0.1:$port" -token "$token" -chats "$chats" -messages "$messages" -pid "$pid"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	echo "   ($(uptime | sed 's/.*load/load/'))"
}

if [ -n "$url" ]; then
	schema=loadgen_$$
	psql -q "$url" -c "CREATE SCHEMA $schema"
	sep='?'
	case $url in *\?*) sep='&' ;; esac
	DATABASE_URL="$url${sep}search_path=$schema,public" INCUBOT_DATA_DIR=$work/native run native 18181 ||
		{ PGOPTIONS=--client-min-messages=warning psql -q "$url" -c "DROP SCHEMA $schema CASCADE"; exit 1; }
	PGOPTIONS=--client-min-messages=warning psql -q "$url" -c "DROP SCHEMA $schema CASCADE"
fi
(
	unset DATABASE_URL INCUBOT_DATABASE_URL
	INCUBOT_DATA_DIR=$work/pglite run PGlite 18182
)
