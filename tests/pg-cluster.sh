#!/usr/bin/env bash
# pg-cluster.sh: a throwaway PostgreSQL cluster for one test run.
#
#   pg-cluster.sh start DIR   start a cluster in DIR (absent or empty), print
#                             its URL on stdout
#   pg-cluster.sh stop DIR    stop that cluster and remove DIR
#
# The server listens on a Unix socket in DIR only, so clusters of parallel
# tests never collide on a port and nothing outside DIR can reach them.
# Durability is switched off: the data is thrown away anyway.
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# "postgres" user and DIR is handed to it.
#
# Environment:
#   PG_BINDIR          directory holding initdb and pg_ctl (default: the
#                      newest /usr/lib/postgresql/*/bin)
#   ORMA_TEST_TMPDIR   where the initialized template data directory is
#                      cached (default /tmp)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

prog=$(basename "$0")
marker_name=.orma-pg-cluster

die () {
  echo "$prog: $*" >&2
  exit 1
}

usage () {
  echo "usage: $prog start DIR | $prog stop DIR" >&2
  exit 2
}

# ---------------------------------------------------------------- helpers

find_bindir () {
  # An empty PG_BINDIR means "not found by configure": search ourselves.
  if [ -n "${PG_BINDIR:-}" ]; then
    if [ ! -x "$PG_BINDIR/pg_ctl" ] || [ ! -x "$PG_BINDIR/initdb" ]; then
      die "PG_BINDIR=$PG_BINDIR does not hold initdb and pg_ctl"
    fi
    echo "$PG_BINDIR"
    return
  fi
  local d found=
  # Sorted by version so that the newest installed server wins.
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      found=$d
    fi
  done
  [ -n "$found" ] ||
    die "no PostgreSQL server binaries (initdb, pg_ctl) found in /usr/lib/postgresql/*/bin; install the 'postgresql' package or set PG_BINDIR"
  echo "$found"
}

is_root () {
  [ "$(id -u)" -eq 0 ]
}

# Runs a server-side command as the user that owns the cluster. From / so
# that an unreadable current directory (root's home) draws no warnings.
as_owner () {
  if is_root; then
    (cd / && LC_ALL=C runuser -u postgres -- "$@")
  else
    (cd / && LC_ALL=C "$@")
  fi
}

# The absolute form of a path whose last component may not exist yet.
absolute_path () {
  local parent base
  parent=$(dirname -- "$1")
  base=$(basename -- "$1")
  [ -d "$parent" ] || die "parent directory of $1 does not exist"
  parent=$(cd -- "$parent" && pwd -P)
  if [ "$parent" = / ]; then
    echo "/$base"
  else
    echo "$parent/$base"
  fi
}

check_path () {
  local dir=$1
  # The path goes into a URL query and into the server command line that
  # pg_ctl hands to /bin/sh: accept only characters that need no quoting
  # in either place rather than escape them twice.
  case $dir in
    *[!A-Za-z0-9/._+,=@:-]*)
      die "cluster directory '$dir' contains characters that are not allowed in the socket path (use letters, digits and ._+,=@:-)" ;;
  esac
  # A Unix socket path is limited to 107 bytes on Linux.
  local socket="$dir/.s.PGSQL.5432"
  [ "${#socket}" -le 107 ] ||
    die "cluster directory '$dir' is too long for a Unix socket path (${#socket} > 107 bytes); set ORMA_TEST_TMPDIR to a shorter directory"
}

# Every directory from / down to $1 must be searchable by the server user,
# or the server cannot reach its data directory or socket.
reachable () {
  ! is_root || (cd / && runuser -u postgres -- test -x "$1" -a -w "$1")
}

unreachable_reason () {
  echo "the postgres user cannot enter or write $1: a parent directory is not searchable by others (chmod o+x it or set ORMA_TEST_TMPDIR elsewhere)"
}

# ---------------------------------------------------------------- template

# Prints the path of an initialized, never started data directory for this
# server version, creating it on first use. initdb takes seconds; a copy
# takes milliseconds, and tests start many clusters.
ensure_template () {
  local bindir=$1 version=$2
  local base=${ORMA_TEST_TMPDIR:-/tmp}
  mkdir -p -- "$base"
  base=$(cd -- "$base" && pwd -P)
  local template=$base/pg-template-$version
  local lock=$template.lock

  # Parallel test programs start clusters at the same time: the lock makes
  # one of them run initdb and the others wait for its result.
  exec 9>"$lock"
  flock -w 300 9 || die "timed out waiting for the template lock $lock"

  if [ ! -f "$template/PG_VERSION" ]; then
    local staging
    staging=$(mktemp -d "$template.staging.XXXXXX")
    if is_root; then
      chown postgres: "$staging"
      if ! reachable "$staging"; then
        rm -rf -- "$staging"
        die "$(unreachable_reason "$staging")"
      fi
    fi
    # --no-sync: the template is rebuilt if it ever goes missing.
    if ! as_owner "$bindir/initdb" -D "$staging" --auth=trust -U postgres \
          --encoding=UTF8 --locale=C --no-sync >"$staging.log" 2>&1; then
      cat "$staging.log" >&2
      rm -rf -- "$staging" "$staging.log"
      die "initdb failed (output above)"
    fi
    rm -f -- "$staging.log"
    # The rename is atomic: a template directory that exists is complete,
    # even to a reader that does not take the lock.
    mv -- "$staging" "$template"
  fi

  exec 9>&-
  echo "$template"
}

# ---------------------------------------------------------------- start

cmd_start () {
  local dir
  dir=$(absolute_path "$1")
  check_path "$dir"

  # What can be checked without touching DIR is checked first, so that a
  # missing server leaves nothing behind.
  local bindir version
  bindir=$(find_bindir)
  version=$("$bindir/pg_ctl" --version | sed -n 's/.*PostgreSQL) \([0-9]*\).*/\1/p')
  [ -n "$version" ] || die "cannot tell the version of $bindir/pg_ctl"
  [ -x "$bindir/psql" ] || die "$bindir/psql not found (needed to create the test database)"

  if is_root; then
    getent passwd postgres >/dev/null ||
      die "running as root, but there is no 'postgres' user to run the server as (PostgreSQL refuses to run as root)"
  fi

  if [ -e "$dir" ]; then
    [ -d "$dir" ] || die "$dir exists and is not a directory"
    # Never start over somebody else's files.
    [ -z "$(ls -A -- "$dir")" ] || die "$dir is not empty"
  else
    mkdir -- "$dir"
  fi
  # The marker is what allows "stop" to remove DIR later.
  : >"$dir/$marker_name"

  local template
  template=$(ensure_template "$bindir" "$version")

  cp -a -- "$template" "$dir/data"
  if is_root; then
    # The template may have been made by another user in an earlier run.
    chown -R postgres: "$dir"
    reachable "$dir" || die "$(unreachable_reason "$dir")"
  fi

  # From here on a failure must not leave a running server behind.
  trap 'stop_server "$bindir" "$dir" >/dev/null 2>&1 || true' EXIT

  local opts="-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "$opts" start >"$dir/pg_ctl.log" 2>&1; then
    {
      echo "$prog: the PostgreSQL server in $dir did not start:"
      cat "$dir/pg_ctl.log"
      [ -f "$dir/server.log" ] && tail -n 20 "$dir/server.log"
    } >&2
    exit 1
  fi

  if ! as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U postgres \
        -d postgres -c 'CREATE DATABASE orma_test' >"$dir/createdb.log" 2>&1; then
    cat "$dir/createdb.log" >&2
    die "could not create the database orma_test in $dir"
  fi

  trap - EXIT
  echo "postgresql://postgres@/orma_test?host=$dir"
}

# ---------------------------------------------------------------- stop

# Stops the server whose data directory is $dir/data, if it runs. pg_ctl
# only ever signals the postmaster recorded in that data directory, which
# is the one this script started.
stop_server () {
  local bindir=$1 dir=$2
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 && return 0
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 && return 0
  # Still there (or pg_ctl unusable): when pg_ctl status agrees the server
  # runs, it prints the postmaster's pid; kill exactly that process.
  local pid
  pid=$(as_owner "$bindir/pg_ctl" -D "$dir/data" status 2>/dev/null |
        sed -n 's/.*server is running (PID: \([0-9]*\)).*/\1/p')
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  return 0
}

cmd_stop () {
  local dir
  dir=$(absolute_path "$1")
  # Already gone: stopping twice is not an error.
  [ -e "$dir" ] || return 0
  # A start that failed its checks leaves the directory as it found it;
  # an empty directory holds no server.
  if [ -d "$dir" ] && [ -z "$(ls -A -- "$dir")" ]; then
    rmdir -- "$dir"
    return 0
  fi
  [ -f "$dir/$marker_name" ] ||
    die "$dir was not made by '$prog start' (no $marker_name); refusing to touch it"

  local bindir
  bindir=$(find_bindir)
  stop_server "$bindir" "$dir"
  rm -rf -- "$dir"
}

# ---------------------------------------------------------------- main

[ $# -eq 2 ] || usage
case $1 in
  start) cmd_start "$2" ;;
  stop)  cmd_stop "$2" ;;
  *)     usage ;;
esac
