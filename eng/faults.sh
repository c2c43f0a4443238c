#!/usr/bin/env bash
# Rerunnable fault drill against a stack of its own (the AppHost on Aspire's testing host, private
# PostgreSQL and RabbitMQ, built in Release): a commit load through the gateway while, one at a time,
# RabbitMQ (beam.smp), PostgreSQL (the postmaster) and each service (its own process) are killed with
# SIGKILL. Prints, per fault, the commits and board reads answered by status, the longest wait, the
# seconds until the stack was healthy again, and commits lost or changes duplicated; then what the
# log, the boards, a RabbitMQ subscriber and the SSE stream hold. Exits non-zero when a check fails.
#   eng/faults.sh [--faults eventbus,postgres,ingestion,verification,leaderboard-projection,gateway] [--clients 4] [--seconds 5]
#   --seconds: how long the load runs before each kill, and again once the stack is healthy
set -euo pipefail
exec "$(dirname "$0")/bench.sh" faults "$@"
