#!/usr/bin/env bash
# Run every cmocka test binary in build/tests/ and add up the results.
# Usage: tests/run.sh [NAME-FILTER]
# The BPF and netns tests need root; as a normal user they skip.
# build/asan/tests/ (`make asan`) holds the user-space tests built with ASan
# and UBSan; they run too, named asan/NAME, against build/asan/flowforest.
set -u
cd "$(dirname "$0")/.."

filter=${1:-}
passed=0 failed=0 skipped=0 bad=() times=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for bin in build/tests/test_* build/asan/tests/test_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	case "$bin" in build/asan/*) name=asan/$name ;; esac
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
	echo "=== $name"
	out=$(mktemp)
	t0=$(date +%s.%N)
	if [[ "$name" == asan/* ]]; then
		FLOWFOREST_BIN=build/asan/flowforest "$bin" 2>&1 | tee "$out"
	else
		"$bin" 2>&1 | tee "$out"
	fi
	rc=${PIPESTATUS[0]}
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
	times+=("$secs $name")
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$4} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$out" | awk '{s+=$4} END {print s+0}')
	s=$(grep -Eo '^\[  SKIPPED \] [0-9]+' "$out" | awk '{s+=$4} END {print s+0}')
	rm -f "$out"
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or exited without a cmocka summary
		failed=$((failed + 1))
	fi
	[ "$rc" -ne 0 ] && bad+=("$name")
done

echo
# where the time goes: every binary's seconds, the slowest first
printf '%s\n' "${times[@]}" | sort -rn | awk '{printf "  %7.1f s  %s\n", $1, $2}'
[ ${#bad[@]} -gt 0 ] && echo "failing: ${bad[*]}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#bad[@]} -eq 0 ]
