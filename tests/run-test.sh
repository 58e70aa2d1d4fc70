#!/usr/bin/env bash
# run-test.sh: how `make check` runs each test program (the LOG_COMPILER).
#
#   run-test.sh ./tests/test-foo [ARGS...]
#
# Every program runs twice: on SQLite, then on a throwaway PostgreSQL
# cluster started for it alone by pg-cluster.sh. When no cluster can be
# started the PostgreSQL half is skipped with a loud banner and recorded in
# $ORMA_TEST_TMPDIR/pg-skipped, so that nobody mistakes a half run for a
# full one; with ORMA_REQUIRE_POSTGRESQL=1 (CI) it is a failure instead.
#
# Environment:
#   ORMA_TEST_TMPDIR         scratch space (created); make check sets it to
#                            tests/tmp in the build tree
#   ORMA_TEST_VALGRIND       a valgrind command line to run the program under
#   ORMA_REQUIRE_POSTGRESQL  1: a PostgreSQL half that cannot run fails
#   PG_BINDIR                passed on to pg-cluster.sh
#
# The exit status follows automake's test protocol: 0 pass, 77 skip,
# 99 hard error (valgrind reports errors with 99), anything else a failure.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 TEST-PROGRAM [ARGS...]" >&2
  exit 99
fi

here=$(cd -- "$(dirname -- "$0")" && pwd)
program=$1
shift
name=$(basename -- "$program")

: "${ORMA_TEST_TMPDIR:=${TMPDIR:-/tmp}/orma-test}"
mkdir -p -- "$ORMA_TEST_TMPDIR"
ORMA_TEST_TMPDIR=$(cd -- "$ORMA_TEST_TMPDIR" && pwd -P)
export ORMA_TEST_TMPDIR

# Tests are quick; a test that hangs should fail, not stall the run.
export CK_DEFAULT_TIMEOUT=60

# The command that runs one half. Under valgrind Check must not fork: each
# forked child would get a leak report of its own, mixing in the parent's
# memory, and its error exit status would reach Check, not make. GLib is
# told to use plain malloc so that its slice allocator's caches are not
# reported. A shell script (*.sh) is not run under valgrind: it starts
# valgrind on its program itself, with ORMA_TEST_VALGRIND.
cmd=()
if [ -n "${ORMA_TEST_VALGRIND:-}" ]; then
  export CK_FORK=no G_SLICE=always-malloc G_DEBUG=gc-friendly
fi
if [ -n "${ORMA_TEST_VALGRIND:-}" ] && [ "${program%.sh}" = "$program" ]; then
  # A libtool wrapper script must be run through libtool, or valgrind
  # checks the shell instead of the program.
  if grep -q 'libtool wrapper' "$program" 2>/dev/null && [ -x ./libtool ]; then
    cmd+=(./libtool --mode=execute)
  fi
  # Word splitting is wanted: the variable holds a command line.
  # shellcheck disable=SC2206
  cmd+=($ORMA_TEST_VALGRIND)
fi
cmd+=("$program" "$@")

# Runs one half; prints its status and returns it without tripping set -e.
run_half () {
  local backend=$1 rc=0
  shift
  env ORMA_TEST_BACKEND="$backend" "$@" "${cmd[@]}" || rc=$?
  echo "-- $name on $backend: exit status $rc"
  return "$rc"
}

sqlite_rc=0
run_half sqlite || sqlite_rc=$?

# ---------------------------------------------------------------- PostgreSQL

cluster=
cleanup () {
  if [ -n "$cluster" ]; then
    bash "$here/pg-cluster.sh" stop "$cluster" ||
      echo "*** $name: could not stop the PostgreSQL cluster in $cluster ***" >&2
    cluster=
  fi
  return 0
}
# EXIT covers every way out; the signal traps turn a signal into an exit
# so that the EXIT trap runs and no server is left behind.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

pg_rc=0
cluster=$(mktemp -d "$ORMA_TEST_TMPDIR/pg.XXXXXX")
err=$ORMA_TEST_TMPDIR/$(basename -- "$cluster").err
if url=$(bash "$here/pg-cluster.sh" start "$cluster" 2>"$err"); then
  rm -f -- "$err"
  run_half postgresql ORMA_TEST_PG_URL="$url" || pg_rc=$?
else
  reason=$(grep -v '^[[:space:]]*$' "$err" | tail -n 1 || true)
  reason=${reason#pg-cluster.sh: }
  [ -n "$reason" ] || reason="pg-cluster.sh failed without a message"
  cat -- "$err" >&2
  rm -f -- "$err"
  banner="*** PostgreSQL half SKIPPED for $name: $reason ***"
  stars=$(printf '%*s' "${#banner}" '' | tr ' ' '*')
  printf '\n%s\n%s\n%s\n\n' "$stars" "$banner" "$stars" >&2
  # One line per skipped program: the summary at the end of a run reads it.
  echo "$name: $reason" >>"$ORMA_TEST_TMPDIR/pg-skipped"
  if [ "${ORMA_REQUIRE_POSTGRESQL:-0}" = 1 ]; then
    echo "*** ORMA_REQUIRE_POSTGRESQL=1: a skipped PostgreSQL half is a failure ***" >&2
    pg_rc=1
  else
    pg_rc=77
  fi
fi
cleanup

# ---------------------------------------------------------------- verdict

# A hard error (99) in either half wins, then any failure; the program
# passes when one half passed and the other passed or was skipped.
final=0
for rc in "$sqlite_rc" "$pg_rc"; do
  case $rc in
    0|77) ;;
    99) final=99 ;;
    *) [ "$final" = 99 ] || final=1 ;;
  esac
done
if [ "$final" = 0 ] && [ "$sqlite_rc" = 77 ] && [ "$pg_rc" = 77 ]; then
  final=77
fi
exit "$final"
