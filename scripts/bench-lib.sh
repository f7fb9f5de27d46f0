# Shared by scripts/bench.sh, bench-survey.sh and bench-datasets.sh (sourced
# after `set -euo pipefail`), so both set up and measure the same way.

say() { printf '%s\n' "$*" >&2; }

# bench_setup [TAG]: GNU time for peak memory; WORK, the work folder
# (BENCH_DIR, kept, else a new temporary one, removed at the end: KEEP=0);
# BIN inside it, for the binaries built.
bench_setup() {
	if [[ ! -x /usr/bin/time ]]; then
		echo "installing GNU time (Debian package 'time') for peak-memory figures" >&2
		if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
	fi
	if [[ -n ${BENCH_DIR:-} ]]; then
		WORK=$BENCH_DIR
		mkdir -p "$WORK"
		KEEP=1
	else
		WORK=$(mktemp -d "${TMPDIR:-/tmp}/vahub-bench${1:+-$1}.XXXXXX")
		# mktemp makes it 0700; run as root, the embedded cluster's server
		# runs as the postgres user and must traverse it to its data dir.
		chmod 755 "$WORK"
		KEEP=0
	fi
	BIN=$WORK/bin
	mkdir -p "$BIN"
}

# secs LOG and rss LOG: wall seconds and peak RSS (MiB) of a /usr/bin/time -v log.
secs() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

# machine: the line that says where the figures were measured.
machine() {
	local mem
	mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $mem RAM; $(go version | cut -d' ' -f3)"
}
