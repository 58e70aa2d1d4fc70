#!/bin/sh
# blog-demo.sh: the example blog application's scripted demo as a test,
# on the backend tests/run-test.sh chose (ORMA_TEST_BACKEND; the
# PostgreSQL half gets the throwaway cluster's ORMA_TEST_PG_URL). The demo
# checks each of its steps and exits non-zero when one goes wrong;
# G_DEBUG=fatal-criticals turns any GLib critical into a failure too.
# Under make check-valgrind the program runs under ORMA_TEST_VALGRIND
# (run-test.sh leaves scripts to start valgrind themselves).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

blog=./examples/blog/orma-blog
case "${ORMA_TEST_BACKEND:-sqlite}" in
  postgresql) url=$ORMA_TEST_PG_URL ;;
  *)
    dir=$(mktemp -d "${ORMA_TEST_TMPDIR:-/tmp}/blog.XXXXXX")
    url="sqlite:///$dir/blog.db"
    ;;
esac

if [ -n "${ORMA_TEST_VALGRIND:-}" ]; then
  # orma-blog is a libtool wrapper script: valgrind must see the program.
  # Word splitting is wanted: the variable holds a command line.
  # shellcheck disable=SC2086
  exec env G_DEBUG="fatal-criticals,$G_DEBUG" ./libtool --mode=execute $ORMA_TEST_VALGRIND "$blog" --db "$url" demo
fi
exec env G_DEBUG=fatal-criticals "$blog" --db "$url" demo
