#!/usr/bin/env bash
# Runs every test of the solution: unit tests, and integration tests against a private
# PostgreSQL and RabbitMQ that the test fixture starts itself. Ends with one summary line,
# "tests: N passed, N failed", and a non-zero exit on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

eng/prerequisites.sh || exit 1

log=$(mktemp)
dotnet test CommunityEvals.sln --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one line per test assembly: "Passed!  - Failed: 0, Passed: 32, Skipped: 0, ..."
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{ sum += $2 } END { print sum + 0 }')
rm -f "$log"
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed before any test could report: count that as a failure.
  failed=1
fi
echo "tests: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
