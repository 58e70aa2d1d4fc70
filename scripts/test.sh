#!/usr/bin/env bash
# test.sh: build Orma and run its whole test suite, from a fresh clone.
#
#   scripts/test.sh [--valgrind] [--distcheck]
#
# Installs the missing build and test dependencies (Debian, as root), runs
# autogen.sh and configure, builds, and runs `make check`: every test
# program on SQLite and on a throwaway PostgreSQL cluster. As root the
# PostgreSQL half is required (ORMA_REQUIRE_POSTGRESQL=1): root can always
# start the server as the postgres user, so a skip there means breakage.
#
#   --valgrind   run `make check-valgrind` instead of `make check`
#   --distcheck  then run `make distcheck` too (builds and tests the
#                release tarball in a fresh tree: about as long again)
#
# Prints the logs of the programs that failed, and ends with one line,
# "N passed, N failed", counting Check's test cases over all programs and
# both backends.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

cd -- "$(dirname -- "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh

check_target=check
distcheck=0
for arg in "$@"; do
  case $arg in
    --valgrind)  check_target=check-valgrind ;;
    --distcheck) distcheck=1 ;;
    -h|--help)   sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)           echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

packages=("${ORMA_BUILD_PACKAGES[@]}" postgresql)
[ "$check_target" = check-valgrind ] && packages+=(valgrind)
install_packages "${packages[@]}"

if [ "$(id -u)" -eq 0 ]; then
  export ORMA_REQUIRE_POSTGRESQL=${ORMA_REQUIRE_POSTGRESQL:-1}
fi

say "configuring"
./autogen.sh

say "building"
make -j"$(make_jobs)"

# Leftovers of an earlier run must not be counted in this one.
rm -f tests/test-*.log tests/test-*.trs tests/tmp/pg-skipped

say "running make $check_target"
check_status=0
make -j"$(make_jobs)" "$check_target" || check_status=$?

# ---------------------------------------------------------------- report

# The test programs, as Makefile.am lists them.
programs=$(sed -n '/^orma_test_programs = /,/^$/p' Makefile.am |
           grep -o 'tests/test-[A-Za-z0-9_-]*' || true)

failed_programs=()
not_run=()
for program in $programs; do
  if [ ! -f "$program.trs" ]; then
    not_run+=("$program")
  elif grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$program.trs"; then
    failed_programs+=("$program")
  fi
done

for program in "${failed_programs[@]}"; do
  printf '\n======================================== %s.log\n' "$program"
  cat -- "$program.log"
done
if [ ${#not_run[@]} -gt 0 ] && [ "$check_status" -ne 0 ]; then
  printf '\n*** not run (the build of the tests failed?): %s ***\n' "${not_run[*]}"
fi

if [ -s tests/tmp/pg-skipped ]; then
  printf '\n*** PostgreSQL half SKIPPED for:\n'
  sed 's/^/***   /' tests/tmp/pg-skipped
  printf '*** (for these programs the count below covers SQLite only)\n'
fi

# Check prints "NN%: Checks: X, Failures: Y, Errors: Z" once per program
# and backend. A program that failed without such a line (a crash, a
# valgrind error, a failed PostgreSQL start under ORMA_REQUIRE_POSTGRESQL)
# or never ran counts as one failure, so that a broken run never reads as
# "0 failed".
read -r passed failed < <(
  for program in $programs; do
    log=$program.log
    trs=$program.trs
    if [ ! -f "$trs" ]; then
      echo "0 0 1"
      continue
    fi
    sums=$(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$log" |
           awk '{ c += $1; f += $2 + $3 } END { print c + 0, f + 0 }')
    read -r checks failures <<<"$sums"
    extra=0
    if grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs" && [ "$failures" -eq 0 ]; then
      extra=1
    fi
    echo "$checks $failures $extra"
  done | awk '{ checks += $1; failures += $2; extra += $3 }
              END { print checks - failures, failures + extra }'
)

status=$check_status
if [ "$status" -eq 0 ] && [ "$failed" -ne 0 ]; then
  status=1
fi
if [ "$status" -eq 0 ] && [ "$distcheck" -eq 1 ]; then
  say "running make distcheck"
  make -j"$(make_jobs)" distcheck || status=$?
fi

echo
echo "$passed passed, $failed failed"
exit "$status"
