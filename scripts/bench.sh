#!/usr/bin/env bash
# End-to-end benchmark of the real vahub binary (see BENCHMARKS.md).
#
#   scripts/bench.sh                       # 2,000 templates; exports at 100k and 1M facts
#   BENCH_FILES=200 BENCH_EXPORT_FACTS="10000 100000" scripts/bench.sh   # quick run
#
# 1. builds vahub and the two helpers (scripts/benchgen, scripts/benchseed);
# 2. uses a fresh database: DATABASE_URL if set (it must hold no report; the
#    script empties it between steps, so give it a throwaway database), else a
#    new embedded cluster in a temporary data folder, stopped at the end;
# 3. writes BENCH_FILES filled Form H templates and ingests them all in ONE
#    `vahub ingest` run, under /usr/bin/time (wall time, peak RSS);
# 4. for each size in BENCH_EXPORT_FACTS, empties the database, generates
#    that many fact rows straight into it (INSERT … SELECT generate_series)
#    and runs `vahub export gap` under /usr/bin/time;
# 5. measures floors in the same run: psql \copy of the same fact rows as
#    CSV, into a table and out of the views;
# 6. prints a Markdown table. BENCH_DIR keeps the work folder (default: a
#    temporary folder, removed at the end).
set -euo pipefail

FILES=${BENCH_FILES:-2000}
EXPORT_FACTS=${BENCH_EXPORT_FACTS:-"100000 1000000"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

command -v psql >/dev/null || { echo "bench.sh: psql is needed for the \\copy floor" >&2; exit 1; }
# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"
bench_setup
LOG=$WORK/bench.log
: >"$LOG"

say "building vahub and the bench helpers in $BIN"
(cd "$ROOT" && go build -o "$BIN/vahub" ./cmd/vahub && go build -o "$BIN/benchgen" ./scripts/benchgen &&
	go build -o "$BIN/benchseed" ./scripts/benchseed)

VAHUB=("$BIN/vahub" --log-level warn)
if [[ -n ${DATABASE_URL:-} ]]; then
	URL=$DATABASE_URL
	say "using DATABASE_URL (must be a throwaway database)"
	"${VAHUB[@]}" migrate >>"$LOG"
else
	VAHUB+=(--data-dir "$WORK/data")
	say "starting a fresh embedded PostgreSQL in $WORK/data"
	URL=$("${VAHUB[@]}" db url)
	"${VAHUB[@]}" migrate >>"$LOG"
fi
cleanup() {
	if [[ -z ${DATABASE_URL:-} ]]; then "${VAHUB[@]}" db stop >/dev/null 2>&1 || true; fi
	if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
"$BIN/benchseed" -url "$URL" -facts 0 # refuses a database that holds reports

# timed LABEL CMD...: runs CMD under GNU time; sets SECS and RSS_MB.
timed() {
	local label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$WORK/time.$label" "$@" >"$WORK/out.$label" 2>>"$LOG"
	read -r SECS RSS_KB <"$WORK/time.$label"
	RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.0f", k / 1024 }')
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
psql_q() { psql "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }

# --- ingest --------------------------------------------------------------
say "writing $FILES filled templates"
"$BIN/benchgen" -n "$FILES" -dir "$WORK/templates" >&2
say "ingesting them in one run: vahub ingest $WORK/templates/*.xlsx"
timed ingest "${VAHUB[@]}" ingest "$WORK/templates"/*.xlsx
tail -n 2 "$WORK/out.ingest" >&2
INGESTED=$(grep -c '^ingested ' "$WORK/out.ingest" || true)
FACTS=$(grep -o '[0-9]* facts)' "$WORK/out.ingest" | awk '{ s += $1 } END { print s + 0 }')
if [[ $INGESTED -ne $FILES ]]; then
	say "bench.sh: only $INGESTED of $FILES files were ingested; see $WORK/out.ingest"
	KEEP=1
	exit 1
fi
row "\`vahub ingest\` $FILES templates (one run)" "$FACTS facts" "${SECS} s" \
	"$(rate "$FILES" "$SECS") files/s, $(rate "$FACTS" "$SECS") facts/s" "$RSS_MB MiB"

# --- exports ---------------------------------------------------------------
for N in $EXPORT_FACTS; do
	say "generating $N fact rows in the database"
	"$BIN/benchseed" -url "$URL" -facts "$N" -reset >&2
	SEEDED=$(psql_q -At -c "SELECT (SELECT count(*) FROM service_count) + (SELECT count(*) FROM casualty_count) + (SELECT count(*) FROM commitment_status)")
	say "vahub export gap at $SEEDED fact rows"
	timed "export$N" "${VAHUB[@]}" export gap -o "$WORK/gap-$N.xlsx"
	SIZE_MB=$(awk -v b="$(stat -c %s "$WORK/gap-$N.xlsx")" 'BEGIN { printf "%.1f", b / 1048576 }')
	# Data rows in the workbook (every sheet, less its header rows).
	WBROWS=$(python3 - "$WORK/gap-$N.xlsx" <<-'EOF' 2>/dev/null || echo "?"
		import re, sys, zipfile
		z = zipfile.ZipFile(sys.argv[1])
		n = 0
		for name in z.namelist():
		    if name.startswith("xl/worksheets/sheet"):
		        with z.open(name) as f:
		            tail = b""
		            while chunk := f.read(1 << 20):
		                n += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
		                tail = chunk[-8:]
		print(n)
		EOF
	)
	row "\`vahub export gap\` from $SEEDED fact rows" "$WBROWS workbook rows, $SIZE_MB MiB" "${SECS} s" \
		"$(rate "$SEEDED" "$SECS") facts/s, $(rate "$WBROWS" "$SECS") rows written/s" "$RSS_MB MiB"
done

# --- floors (same run, same data) -------------------------------------------
# Load: the fact rows now in the database, as CSV, back in with \copy.
say "floors: psql \\copy of the same fact rows"
psql_q -c "\\copy (SELECT * FROM service_count) TO '$WORK/service.csv' CSV" \
	-c "\\copy (SELECT * FROM casualty_count) TO '$WORK/casualty.csv' CSV"
CSVROWS=$(cat "$WORK/service.csv" "$WORK/casualty.csv" | wc -l)
psql_q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_service, bench_casualty" \
	-c "CREATE UNLOGGED TABLE bench_service (LIKE service_count)" \
	-c "CREATE UNLOGGED TABLE bench_casualty (LIKE casualty_count)"
timed copyin psql "$URL" -X -q -v ON_ERROR_STOP=1 \
	-c "\\copy bench_service FROM '$WORK/service.csv' CSV" -c "\\copy bench_casualty FROM '$WORK/casualty.csv' CSV"
row "floor: \`psql \\copy\` CSV into a table" "$CSVROWS rows" "${SECS} s" "$(rate "$CSVROWS" "$SECS") rows/s" "$RSS_MB MiB (psql)"
psql_q -c "DROP TABLE bench_service, bench_casualty"
# Read: the views the export reads, out as CSV (no workbook).
timed copyout psql "$URL" -X -q -v ON_ERROR_STOP=1 \
	-c "\\copy (SELECT * FROM gap_analysis) TO '$WORK/gap.csv' CSV" -c "\\copy (SELECT * FROM casualty_facts) TO '$WORK/cas.csv' CSV"
OUTROWS=$(cat "$WORK/gap.csv" "$WORK/cas.csv" | wc -l)
row "floor: \`psql \\copy\` gap_analysis + casualty_facts out" "$OUTROWS rows" "${SECS} s" "$(rate "$OUTROWS" "$SECS") rows/s" "$RSS_MB MiB (psql)"
rm -f "$WORK"/*.csv

# --- report ------------------------------------------------------------------
MEM=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
PGV=$(psql_q -At -c "SHOW server_version")
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $MEM RAM; PostgreSQL $PGV; $(go version | cut -d' ' -f3)"
echo
echo "| step | data | wall time | throughput | peak RSS |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
