# common.sh: what scripts/test.sh and scripts/run-example.sh share:
# installing the build dependencies and building the tree. Sourced, not run.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash

# Packages that configure needs (check included: configure requires it).
# shellcheck disable=SC2034  # used by the scripts that source this file
ORMA_BUILD_PACKAGES=(build-essential autoconf automake libtool pkg-config
                     libglib2.0-dev check libsqlite3-dev libpq-dev)

say () {
  printf '\n==> %s\n' "$*"
}

# Installs whichever of the given Debian packages are missing. apt-get
# update runs only when something is missing, so a machine that has
# everything is not touched (and needs no network).
install_packages () {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "not a Debian system: not checking packages (needed: $*)"
    return 0
  fi

  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0

  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}" >&2
    echo "install them as root:  apt-get install ${missing[*]}" >&2
    exit 1
  fi

  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The number of parallel make jobs: two unless MAKE_JOBS says otherwise.
make_jobs () {
  echo "${MAKE_JOBS:-2}"
}
