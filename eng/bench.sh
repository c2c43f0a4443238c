#!/usr/bin/env bash
# Rerunnable benchmarks against the whole stack on this machine, built in Release:
#   eng/bench.sh commits [--clients 16] [--seconds 20]
set -euo pipefail
cd "$(dirname "$0")/.."
eng/prerequisites.sh
dotnet build tests/CommunityEvals.Benchmarks -c Release --nologo -v quiet >/dev/null
exec dotnet tests/CommunityEvals.Benchmarks/bin/Release/net10.0/CommunityEvals.Benchmarks.dll "$@"
