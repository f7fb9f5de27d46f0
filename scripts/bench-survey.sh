#!/usr/bin/env bash
# Survey import benchmark (BENCHMARKS.md, "Survey exports"): a KoboToolbox-
# style XLSX export of the standard survey with 1,000,000 rows (and one with
# a tenth of them, to show memory is flat) is imported by the real vahub
# binary, and in the same run the pipeline floor is measured on the same
# file: excelize's streaming read plus a COPY of the raw cells into a table,
# no normalization (scripts/surveyfloor).
#
#   scripts/bench-survey.sh                         # 1,000,000 and 100,000 rows
#   BENCH_ROWS=200000 scripts/bench-survey.sh       # quicker
#   BENCH_DIR=/tmp/bench-sv scripts/bench-survey.sh # keep the files and /usr/bin/time -v logs
#
# Each size gets its own fresh embedded cluster (or DATABASE_URL: give it a
# throwaway database) and runs, one after the other,
#   /usr/bin/time -v surveyfloor -db URL -xlsx FILE
#   /usr/bin/time -v vahub ingest --json --max-file-size 1000 FILE
#   /usr/bin/time -v surveyfloor -db URL -xlsx FILE     (again)
# The import is compared with the mean of the two floor runs that bracket
# it, so a load that drifts during the run (a shared machine) weighs on both
# sides. With BENCH_DIR, exports already written there are reused.
set -euo pipefail

ROWS=${BENCH_ROWS:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck source=scripts/bench-lib.sh
. "$ROOT/scripts/bench-lib.sh"
bench_setup sv

say "building vahub, scripts/surveygen and scripts/surveyfloor in $BIN"
(cd "$ROOT" && go build -o "$BIN/vahub" ./cmd/vahub && go build -o "$BIN/surveygen" ./scripts/surveygen &&
	go build -o "$BIN/surveyfloor" ./scripts/surveyfloor)

SMALL=$((ROWS / 10))
if [[ -s $WORK/data.txt && -s $WORK/survey-big.xlsx && -s $WORK/survey-small.xlsx ]] &&
	grep -q "survey-big.xlsx: $ROWS rows" "$WORK/data.txt"; then
	say "reusing the exports in $WORK"
else
	say "writing the exports ($ROWS and $SMALL rows)"
	"$BIN/surveygen" -o "$WORK/survey-big.xlsx" -rows "$ROWS" >"$WORK/data.txt"
	"$BIN/surveygen" -o "$WORK/survey-small.xlsx" -rows "$SMALL" >>"$WORK/data.txt"
fi
cat "$WORK/data.txt" >&2

CLUSTERS=()
cleanup() {
	for d in "${CLUSTERS[@]}"; do "$BIN/vahub" --data-dir "$d" db stop >/dev/null 2>&1 || true; done
	if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

OUT=()
for size in small big; do
	f=survey-$size.xlsx
	VAHUB=("$BIN/vahub" --log-level warn)
	if [[ -z ${DATABASE_URL:-} ]]; then
		rm -rf "$WORK/data-$size"
		VAHUB+=(--data-dir "$WORK/data-$size")
		CLUSTERS+=("$WORK/data-$size")
	fi
	"${VAHUB[@]}" migrate >/dev/null
	URL=${DATABASE_URL:-$("${VAHUB[@]}" db url)}
	DATAROWS=$(awk -v f="$WORK/$f:" '$1 == f { print $2 }' "$WORK/data.txt")
	MB=$(awk -v b="$(stat -c %s "$WORK/$f")" 'BEGIN { printf "%.1f MB", b / 1e6 }')

	for run in 1 2; do
		say "floor $run: surveyfloor $f"
		/usr/bin/time -v -o "$WORK/time.floor$run.$size" "$BIN/surveyfloor" -db "$URL" -xlsx "$WORK/$f" >"$WORK/out.floor$run.$size" 2>&1
		cat "$WORK/out.floor$run.$size" >&2
		if [[ $run -eq 2 ]]; then break; fi
		say "vahub ingest --json --max-file-size 1000 $f"
		/usr/bin/time -v -o "$WORK/time.ingest.$size" "${VAHUB[@]}" ingest --json --max-file-size 1000 "$WORK/$f" \
			>"$WORK/out.ingest.$size" 2>"$WORK/err.ingest.$size" || true
	done
	SURVEY=$(tr -d ' \n' <"$WORK/out.ingest.$size" | grep -o '"survey":{[^}]*}' || echo "(no survey counts: see $WORK/err.ingest.$size)")
	say "$SURVEY"
	F1=$(secs "$WORK/time.floor1.$size")
	F2=$(secs "$WORK/time.floor2.$size")
	IS=$(secs "$WORK/time.ingest.$size")
	FM=$(awk -v a="$F1" -v b="$F2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
	OUT+=("| \`$f\` | $MB, $DATAROWS rows | pipeline floor (excelize Rows + COPY of raw cells), before and after | ${F1} s, ${F2} s | $(awk -v n="$DATAROWS" -v s="$FM" 'BEGIN { printf "%.0f", n / s }') rows/s | $(rss "$WORK/time.floor1.$size"), $(rss "$WORK/time.floor2.$size") MiB | |")
	OUT+=("| \`$f\` | $MB, $DATAROWS rows | \`vahub ingest\` | ${IS} s | $(awk -v n="$DATAROWS" -v s="$IS" 'BEGIN { printf "%.0f", n / s }') rows/s | $(rss "$WORK/time.ingest.$size") MiB | $(awk -v a="$IS" -v b="$FM" 'BEGIN { printf "%.2f×", a / b }') |")
	OUT+=("| | | $SURVEY | | | | |")
	if [[ -z ${DATABASE_URL:-} ]]; then "${VAHUB[@]}" db stop >/dev/null 2>&1 || true; fi
done

echo
machine
echo
echo "| file | data | what | wall time | throughput | peak RSS | vs floor |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${OUT[@]}"
