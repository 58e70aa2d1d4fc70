#!/usr/bin/env bash
# run-bench.sh: runs the benchmark against SQLite and a throwaway
# PostgreSQL cluster.
#
#   run-bench.sh PROGRAM [ARGS...]
#
# Starts a cluster with tests/pg-cluster.sh in a temporary directory,
# hands its URL to PROGRAM in ORMA_BENCH_PG_URL, runs PROGRAM with ARGS
# and stops the cluster whatever happens. When no cluster can be started
# the SQLite part still runs, and the output says loudly that PostgreSQL
# was not measured.
#
# Environment: PG_BINDIR (exported by make) as for pg-cluster.sh.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $(basename "$0") PROGRAM [ARGS...]" >&2; exit 2; }
program=$1
shift

here=$(cd -- "$(dirname -- "$0")" && pwd -P)
cluster_script=$here/../pg-cluster.sh

# Echo would time the terminal, not the library.
unset ORMA_ECHO
# Only a cluster started here is ever used: never a server from the
# caller's environment.
unset ORMA_BENCH_PG_URL

# A short base: the cluster's socket path must fit in 107 bytes.
cluster_dir=
base=$(mktemp -d "${TMPDIR:-/tmp}/orma-bench.XXXXXX")

cleanup () {
  if [ -n "$cluster_dir" ]; then
    "$cluster_script" stop "$cluster_dir" || echo "run-bench.sh: could not stop the cluster in $cluster_dir" >&2
  fi
  rm -rf -- "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# As root the server runs as "postgres", which must reach the directory.
chmod 755 "$base"

if url=$("$cluster_script" start "$base/pg" 2>"$base/pg-start.log"); then
  cluster_dir=$base/pg
  export ORMA_BENCH_PG_URL=$url
else
  # pg-cluster.sh cleans up after a failed start, but stop is harmless.
  cluster_dir=$base/pg
  {
    echo "########################################################################"
    echo "# run-bench.sh: NO POSTGRESQL CLUSTER COULD BE STARTED;"
    echo "# only SQLite is measured. pg-cluster.sh said:"
    sed 's/^/#   /' "$base/pg-start.log"
    echo "########################################################################"
  } | tee /dev/stderr
fi

"$program" "$@"
