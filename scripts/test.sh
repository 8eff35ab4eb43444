#!/usr/bin/env bash
# Runs every test of kms-grants: the README's test command, and what CI runs after its lint steps.
#
#   bash scripts/test.sh
#
# Screens are compared with the committed insta snapshots; a changed screen fails instead of being
# written (review changes with `cargo insta review`, or INSTA_UPDATE=always and git diff).
set -euo pipefail
cd "$(dirname "$0")/.."

export INSTA_UPDATE=no
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The end-to-end tests run the real AWS SDK against moto_server, a local KMS-compatible server
# (PyPI moto[server]). Install it into .venv/ when it is missing; MOTO_SERVER tells the tests
# where it is. Set MOTO_SERVER yourself to use another install.
if [ -z "${MOTO_SERVER:-}" ]; then
  if [ ! -x .venv/bin/moto_server ]; then
    echo "== installing moto[server] into .venv (for the end-to-end tests)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5.1,<6'
  fi
  export MOTO_SERVER="$PWD/.venv/bin/moto_server"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Doc tests first (there may be none), then every unit, integration and screen test. The
# criterion benches (benches/) are left to `cargo bench`: their inputs are 100,000 grants, too
# big for a debug build; clippy --all-targets in .ci/run still compiles them.
cargo test --locked --doc 2>&1 | tee -a "$log"
cargo test --locked --lib --bins --tests --examples 2>&1 | tee -a "$log"

# One closing line over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "\ntests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
