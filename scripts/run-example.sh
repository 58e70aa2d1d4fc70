#!/usr/bin/env bash
# run-example.sh: build Orma and run the example blog, from a fresh clone.
#
#   scripts/run-example.sh [URL]
#
# Installs the missing build dependencies (Debian, as root), configures
# the tree if it is not configured yet, builds the library and the
# examples, and runs `examples/blog/orma-blog demo` with ORMA_ECHO=1: a
# scripted session (users, posts with tags, threaded comments, listing,
# a user deleted with everything that cascades) that prints every
# statement it sends and checks each step. The demo drops and creates
# the blog tables first. The database is the SQLite file
# examples/blog/blog.db unless a URL is given, e.g.
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

url=${1:-sqlite:///examples/blog/blog.db}
say "running examples/blog/orma-blog --db $url demo"
ORMA_ECHO=1 ./examples/blog/orma-blog --db "$url" demo

say "the blog is kept in $url; go on with, e.g.:"
echo "  ./examples/blog/orma-blog --db '$url' show-post 3"
echo "  ./examples/blog/orma-blog --db '$url' post mary 'Hi' 'My first post' orma"
echo "  ./examples/blog/orma-blog --help"
