#!/usr/bin/env bash
# Run every cmocka test binary in build/tests/ and add up the results.
# Usage: tests/run.sh [NAME-FILTER]
# The BPF and netns tests need root; as a normal user they skip.
set -u
cd "$(dirname "$0")/.."

filter=${1:-}
passed=0 failed=0 skipped=0 bad=()
for bin in build/tests/test_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
	echo "=== $name"
	out=$(mktemp)
	"$bin" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
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
[ ${#bad[@]} -gt 0 ] && echo "failing: ${bad[*]}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#bad[@]} -eq 0 ]
