#!/usr/bin/env bash
# Installs what lvsbench needs, builds it in release mode (numbers are measured in release
# builds only) and runs the default benchmark; the report lands in results/latest/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product lvsbench >&2
exec .build/release/lvsbench run "$@"
