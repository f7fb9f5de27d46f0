#!/usr/bin/env bash
# Streaming benchmark of the national-dataset reader (BENCHMARKS.md,
# "Large national datasets"): the real vahub binary ingests a ~200 MB
# casualty CSV and a 1,000,000-row workbook, and the same two at a tenth
# of the size in the same run, so peak RSS can be compared: flat memory
# means the big files peak where the small ones do.
#
#   scripts/bench-datasets.sh                    # 200 MB CSV, 1M-row xlsx, and 20 MB / 100k
#   BENCH_CSV_MB=50 BENCH_XLSX_ROWS=200000 scripts/bench-datasets.sh   # quicker
#   BENCH_DIR=/tmp/bench-ds scripts/bench-datasets.sh                  # keep the files and logs
#
# Each file gets a fresh embedded cluster (or DATABASE_URL, emptied by
# nothing: give it a throwaway database) and runs
#   /usr/bin/time -v vahub ingest --country COL --max-file-size 1000 FILE
# The files are written by scripts/bigdata.
set -euo pipefail

CSV_MB=${BENCH_CSV_MB:-200}
XLSX_ROWS=${BENCH_XLSX_ROWS:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"
bench_setup ds

say "building vahub and scripts/bigdata in $BIN"
(cd "$ROOT" && go build -o "$BIN/vahub" ./cmd/vahub && go build -o "$BIN/bigdata" ./scripts/bigdata)

SMALL_MB=$(((CSV_MB + 9) / 10))
SMALL_ROWS=$((XLSX_ROWS / 10))
say "writing the datasets ($CSV_MB MB and $SMALL_MB MB CSV, $XLSX_ROWS and $SMALL_ROWS rows xlsx)"
"$BIN/bigdata" -csv "$WORK/col-big.csv" -mb "$CSV_MB" -xlsx "$WORK/col-big.xlsx" -rows "$XLSX_ROWS" >"$WORK/data.txt"
"$BIN/bigdata" -csv "$WORK/col-small.csv" -mb "$SMALL_MB" -xlsx "$WORK/col-small.xlsx" -rows "$SMALL_ROWS" >>"$WORK/data.txt"
cat "$WORK/data.txt" >&2

VAHUB=("$BIN/vahub" --log-level warn)
cleanup() {
	if [[ -z ${DATABASE_URL:-} ]]; then "${VAHUB[@]}" --data-dir "$WORK/data" db stop >/dev/null 2>&1 || true; fi
	if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
if [[ -z ${DATABASE_URL:-} ]]; then
	VAHUB+=(--data-dir "$WORK/data")
fi
"${VAHUB[@]}" migrate >/dev/null

ROWS=()
for f in col-small.csv col-big.csv col-small.xlsx col-big.xlsx; do
	say "vahub ingest --country COL $f"
	/usr/bin/time -v -o "$WORK/time.$f" "${VAHUB[@]}" ingest --country COL --max-file-size 1000 "$WORK/$f" \
		>"$WORK/out.$f" 2>&1 || true
	head -n 1 "$WORK/out.$f" >&2
	SECS=$(secs "$WORK/time.$f")
	DATAROWS=$(awk -v f="$WORK/$f" '$1 == f ":" { print $2 }' "$WORK/data.txt")
	STATUS=$(awk 'NR == 1 { print $1 }' "$WORK/out.$f")
	FACTS=$(grep -o '[0-9]* facts)' "$WORK/out.$f" | awk '{ s += $1 } END { print s + 0 }')
	SIZE=$(awk -v b="$(stat -c %s "$WORK/$f")" 'BEGIN { printf "%.1f MB", b / 1e6 }')
	ROWS+=("| \`$f\` | $SIZE, $DATAROWS rows | $STATUS, $FACTS facts | ${SECS} s | $(awk -v n="$DATAROWS" -v s="$SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') rows/s | $(rss "$WORK/time.$f") MiB |")
done

echo
machine
echo
echo "| file | data | result | wall time | throughput | peak RSS |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
