#!/usr/bin/env bash
# Installs what the tests need, then runs every test with `swift test`.
# Lab tests need root; run as another user they skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
exec swift test --skip-build "$@"
