#!/usr/bin/env bash
# Load test of `vahub serve` from a second process on loopback (see
# BENCHMARKS.md, "Web server under load").
#
#   scripts/bench-load.sh                          # 20 focal points × 30 uploads, 5 researchers
#   LOAD_UPLOADS=3 LOAD_RESEARCHERS=2 scripts/bench-load.sh   # quick run
#
# 1. builds vahub, scripts/benchgen and scripts/loadtest;
# 2. uses a fresh database: DATABASE_URL if set (a throwaway database that
#    holds no report), else a new embedded cluster in a temporary data
#    folder, stopped at the end;
# 3. ingests LOAD_SEED_FILES filled templates as approved reports (every
#    State for 2000, then 2001 …), the data researchers read;
# 4. adds 20 focal points of 20 countries and LOAD_RESEARCHERS researchers,
#    each with an API token (`vahub user add`, `vahub token create`);
# 5. starts `vahub serve` on 127.0.0.1 (a free port) as its own process;
# 6. runs scripts/loadtest: the 20 focal points each upload LOAD_UPLOADS
#    distinct fully filled templates (141 facts, every third with a warning)
#    one after the other, all at once, while the researchers read facts
#    and download gap workbooks until the last upload is answered (before
#    that, each kind of request alone, one at a time, for comparison);
# 7. prints the per-route table and the server's peak RSS; exits non-zero
#    if any request failed. LOAD_DIR keeps the work folder.
set -euo pipefail

UPLOADS=${LOAD_UPLOADS:-30}
RESEARCHERS=${LOAD_RESEARCHERS:-5}
SEED_FILES=${LOAD_SEED_FILES:-400}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNTRIES=(LAO LBN COL TCD IRQ AFG KHM VNM UKR SYR YEM SOM SDN MLI BIH HRV SRB MOZ AGO ZWE)

if [[ -n ${LOAD_DIR:-} ]]; then
	WORK=$LOAD_DIR
	mkdir -p "$WORK"
	KEEP=1
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vahub-load.XXXXXX")
	KEEP=0
fi
# The embedded cluster runs as the "postgres" OS user, who must reach its
# data folder inside WORK (traverse only; the tokens file stays 0600).
chmod o+x "$WORK"
BIN=$WORK/bin
mkdir -p "$BIN"
LOG=$WORK/load.log
: >"$LOG"
say() { printf '%s\n' "$*" >&2; }

say "building vahub and the load helpers in $BIN"
(cd "$ROOT" && go build -o "$BIN/vahub" ./cmd/vahub && go build -o "$BIN/benchgen" ./scripts/benchgen &&
	go build -o "$BIN/loadtest" ./scripts/loadtest)

VAHUB=("$BIN/vahub" --log-level warn)
if [[ -n ${DATABASE_URL:-} ]]; then
	say "using DATABASE_URL (must be a throwaway database)"
	"${VAHUB[@]}" migrate >>"$LOG"
else
	VAHUB+=(--data-dir "$WORK/data")
	say "starting a fresh embedded PostgreSQL in $WORK/data"
	"${VAHUB[@]}" migrate >>"$LOG"
fi
SERVER=""
cleanup() {
	if [[ -n $SERVER ]]; then kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true; fi
	if [[ -z ${DATABASE_URL:-} ]]; then "${VAHUB[@]}" db stop >/dev/null 2>&1 || true; fi
	if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

say "seeding $SEED_FILES approved reports for researchers to read"
"$BIN/benchgen" -n "$SEED_FILES" -dir "$WORK/seed" >&2
"${VAHUB[@]}" ingest "$WORK/seed"/*.xlsx >"$WORK/seed.out" 2>>"$LOG"
SEEDED=$(grep -c '^ingested ' "$WORK/seed.out" || true)
if [[ $SEEDED -ne $SEED_FILES ]]; then
	say "bench-load.sh: only $SEEDED of $SEED_FILES seed files were ingested; see $WORK/seed.out"
	KEEP=1
	exit 1
fi

say "adding ${#COUNTRIES[@]} focal points and $RESEARCHERS researchers with API tokens"
TOKENS=$WORK/tokens.txt
: >"$TOKENS"
chmod 600 "$TOKENS"
for c in "${COUNTRIES[@]}"; do
	name="fp-${c,,}"
	"${VAHUB[@]}" user add --name "$name" --role focal_point --country "$c" >>"$LOG"
	echo "focal_point $c $("${VAHUB[@]}" token create --user "$name" 2>>"$LOG")" >>"$TOKENS"
done
for i in $(seq 1 "$RESEARCHERS"); do
	"${VAHUB[@]}" user add --name "researcher-$i" --role researcher >>"$LOG"
	echo "researcher - $("${VAHUB[@]}" token create --user "researcher-$i" 2>>"$LOG")" >>"$TOKENS"
done

say "starting vahub serve on 127.0.0.1"
"${VAHUB[@]}" serve --addr 127.0.0.1:0 >"$WORK/serve.out" 2>>"$LOG" &
SERVER=$!
BASE=""
for _ in $(seq 1 300); do
	BASE=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" || true)
	[[ -n $BASE ]] && break
	kill -0 "$SERVER" 2>/dev/null || { say "bench-load.sh: vahub serve exited; see $LOG"; KEEP=1; exit 1; }
	sleep 0.1
done
[[ -n $BASE ]] || { say "bench-load.sh: vahub serve did not listen; see $LOG"; KEEP=1; exit 1; }

say "load: ${#COUNTRIES[@]} focal points × $UPLOADS uploads, $RESEARCHERS researchers, against $BASE"
STATUS=0
"$BIN/loadtest" -base "$BASE" -tokens "$TOKENS" -uploads "$UPLOADS" -from 2000 -to 2002 >"$WORK/result.md" || STATUS=$?
RSS_MB=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status" 2>/dev/null || echo "?")

MEM=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $MEM RAM; $(go version | cut -d' ' -f3)"
echo "Database: $SEEDED approved reports seeded; the server's peak RSS: $RSS_MB MiB"
echo
cat "$WORK/result.md"
if [[ $STATUS -ne 0 ]]; then
	say "bench-load.sh: the load test failed (exit $STATUS); work folder kept: $WORK"
	KEEP=1
fi
exit "$STATUS"
