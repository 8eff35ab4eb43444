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

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Doc tests first (there may be none), then every unit, integration and screen test.
cargo test --locked --doc 2>&1 | tee -a "$log"
cargo test --locked --all-targets 2>&1 | tee -a "$log"

# One closing line over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "\ntests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
