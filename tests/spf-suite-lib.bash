# Helpers for the generated conformance files tests/spf-suite*.bats:
# the suite runs once per file (setup_file), each @test reads its cases.

# Run suite file $1 (in $SUITES/spf) into $BATS_FILE_TMPDIR/results.
spf_suite_setup() {
	"$PY" "$TESTS_DIR/spf_suite.py" run "$SUITES/spf/$1" \
	    --out "$BATS_FILE_TMPDIR/results" --informational
}

# Check cases "$@": print each one's line; fail if any failed.  A case
# the runner marks "skip" (a known failure outside SPF, KNOWN in
# spf_suite.py, printed with its reason) makes the @test skip when every
# other case passed.
spf_suite_cases() {
	local id line bad=0 skipped=""
	for id in "$@"; do
		line=$(grep -E "^(not ok|ok|skip) $id([ :]|\$)" \
		    "$BATS_FILE_TMPDIR/results") || line="not ok $id: no result"
		echo "$line"
		case $line in
		"ok "*) ;;
		"skip "*) skipped="$skipped ${line#skip }" ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	echo "$(($# - bad))/$# cases passed"
	[ "$bad" -eq 0 ] || return 1
	[ -z "$skipped" ] || skip "known failure:$skipped"
}

# The @tests of bats file $2 name exactly the cases of suite $1.
spf_suite_complete() {
	diff <("$PY" "$TESTS_DIR/spf_suite.py" list "$SUITES/spf/$1" | sort) \
	    <(sed -n '/spf_suite_cases/,/^}/p' "$2" | grep -v 'spf_suite_cases\|^}' |
	      tr -d '\\' | tr ' ' '\n' | grep . | sort)
	tail -n 1 "$BATS_FILE_TMPDIR/results"
}
