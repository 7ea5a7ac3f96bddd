#!/usr/bin/env bash
# Measures the policy library at province scale, the figures of the README's
# "Scale and load" table, in one run with one binary:
#
#   deploy/bench/scale.sh 'postgres://incubot:incubot@127.0.0.1:55432/incubot?sslmode=disable'
#
# 1. native PostgreSQL: `incubot eval --synthetic N` for each N in SIZES
#    (default "100000 300000"), each in a throwaway schema of that database
#    (dropped at the end), with PostgreSQL's peak memory (the sum of its
#    processes' PSS, sampled every 2 s; shared buffers counted once);
# 2. the dev set on native PostgreSQL and on the embedded PGlite, and whether
#    their quality figures are identical;
# 3. with PGLITE=N (say 100000), `eval --synthetic N` on PGlite too (its
#    database's peak RSS is in the output: database_peak_rss_mb).
#
# Each line of output is JSON, with the load average before and after.
# Reading the PSS of the server's processes needs root (or the same user).
set -euo pipefail
cd "$(dirname "$0")/../.."

url=${1:?usage: deploy/bench/scale.sh POSTGRES_URL}
sizes=${SIZES:-100000 300000}
corpus=${CORPUS:-../shared/eval/corpus}
dev=${DEV:-../shared/eval/dev.jsonl}
[ -d "$corpus" ] && [ -f "$dev" ] || { echo "scale.sh: no corpus at $corpus or no questions at $dev (set CORPUS and DEV)" >&2; exit 2; }
work=$(mktemp -d)
schemas=()
sampler=
cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
	for s in "${schemas[@]}"; do
		PGOPTIONS=--client-min-messages=warning psql -q "$url" -c "DROP SCHEMA IF EXISTS $s CASCADE" || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/incubot" ./cmd/incubot

load() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/'; }

# schema NAME: a fresh schema; prints the URL that works in it.
schema() {
	local s=bench_${1}_$$ sep='?'
	PGOPTIONS=--client-min-messages=warning psql -q "$url" -c "DROP SCHEMA IF EXISTS $s CASCADE; CREATE SCHEMA $s"
	schemas+=("$s")
	case $url in *\?*) sep='&' ;; esac
	echo "$url${sep}search_path=$s,public"
}

# pss_mb: the PostgreSQL server's memory now, in MB.
pss_mb() {
	local kb=0 p v
	for p in $(pgrep -x postgres); do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
		kb=$((kb + ${v:-0}))
	done
	echo $((kb / 1024))
}

for n in $sizes; do
	u=$(schema "s$n")
	before=$(load)
	peak=$work/peak.$n
	echo 0 >"$peak"
	(
		while :; do
			m=$(pss_mb)
			[ "$m" -gt "$(cat "$peak")" ] && echo "$m" >"$peak"
			sleep 2
		done
	) &
	sampler=$!
	out=$(DATABASE_URL=$u INCUBOT_DATA_DIR=$work/native "$work/incubot" eval --synthetic "$n" --corpus "$corpus" --json)
	kill "$sampler"
	sampler=
	echo "{\"database\":\"native\",\"synthetic\":$n,\"postgres_peak_pss_mb\":$(cat "$peak"),\"load_before\":\"$before\",\"load_after\":\"$(load)\",\"result\":$out}"
done

quality='{recall_at_1, recall_at_3, recall_at_5, mrr_at_10, refusal_precision, refusal_recall, answered_with_gold_citation, declined_unanswerable, number_faithfulness}'
before=$(load)
native=$(DATABASE_URL=$(schema dev) INCUBOT_DATA_DIR=$work/native "$work/incubot" eval --corpus "$corpus" --questions "$dev" --json)
pglite=$(env -u DATABASE_URL -u INCUBOT_DATABASE_URL INCUBOT_DATA_DIR=$work/pglite "$work/incubot" eval --corpus "$corpus" --questions "$dev" --json)
same=false
[ "$(jq -cS "$quality" <<<"$native")" = "$(jq -cS "$quality" <<<"$pglite")" ] && same=true
echo "{\"dev\":\"$dev\",\"quality_identical\":$same,\"load_before\":\"$before\",\"load_after\":\"$(load)\",\"native\":$native,\"pglite\":$pglite}"

if [ -n "${PGLITE:-}" ]; then
	before=$(load)
	out=$(env -u DATABASE_URL -u INCUBOT_DATABASE_URL INCUBOT_DATA_DIR=$work/pglite100k "$work/incubot" eval --synthetic "$PGLITE" --corpus "$corpus" --json)
	echo "{\"database\":\"pglite\",\"synthetic\":$PGLITE,\"load_before\":\"$before\",\"load_after\":\"$(load)\",\"result\":$out}"
fi
