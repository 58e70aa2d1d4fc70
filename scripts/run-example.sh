#!/usr/bin/env bash
# run-example.sh: build Orma and run the hello example, from a fresh clone.
#
#   scripts/run-example.sh [URL]
#
# Installs the missing build dependencies (Debian, as root), configures
# the tree if it is not configured yet, builds the library and the
# examples, and runs examples/orma-hello with ORMA_ECHO=1 so that every
# statement it sends is shown. The database is the SQLite file
# examples/hello.db unless a URL is given, e.g.
#   scripts/run-example.sh 'postgresql://postgres@/mydb?host=/run/postgresql'
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

cd -- "$(dirname -- "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh

install_packages "${ORMA_BUILD_PACKAGES[@]}"

# An existing configuration is kept: its Makefile regenerates itself when
# configure.ac or Makefile.am change.
if [ ! -f Makefile ]; then
  say "configuring"
  ./autogen.sh
fi

say "building"
make -j"$(make_jobs)"

url=${1:-sqlite:///examples/hello.db}
say "running examples/orma-hello $url"
ORMA_ECHO=1 ./examples/orma-hello "$url"

case $url in
  sqlite:///examples/hello.db) say "the database is kept in examples/hello.db" ;;
esac
