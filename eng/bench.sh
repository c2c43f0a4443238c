#!/usr/bin/env bash
# Rerunnable benchmarks against the whole stack on this machine, built in Release:
#   eng/bench.sh commits   [--clients 16] [--seconds 20] [--env NAME=VALUE]...
#       sustained commits through the gateway vs plain Npgsql inserts
#   eng/bench.sh freshness [--rate 200] [--seconds 20] [--clients 16] [--poll-every 20] [--env NAME=VALUE]...
#       open-loop commits; time from each 200 to its score-changed on SSE (and on the polled board)
#   eng/bench.sh reads     [--models 1000] [--connections 32] [--seconds 15] [--route native|hub] [--conditional no|yes] [--gzip no|yes] [--env NAME=VALUE]...
#       a 1,000-row board read by 32 connections through the gateway, then straight from the service
#   eng/bench.sh files     [--clients 16] [--megabytes 10] [--seconds 15] [--env NAME=VALUE]...
#       a data file of 10 MiB (uploaded through LFS) downloaded by 16 clients through the gateway, then its
#       chunks read by 16 Npgsql readers straight from PostgreSQL in this process: MB/s (10^6 bytes) of each
#   eng/bench.sh rebuild   [--events 1000000] [--benchmarks 300] [--models auto] [--repeat 1] [--daemon no|yes] [--projections A,B] [--batch-size N] [--pg NAME=VALUE]...
#       events appended with Marten, then each leaderboard-projection projection rebuilt (events/s)
#   eng/bench.sh export    [--events 1000000] [--seconds 300] [--env NAME=VALUE]...
#       events appended to the whole stack's event store with Marten (EventMix) and waited for in the feed:
#       by the live daemon if its pace gets it there within --seconds of the last append, else by the admin
#       rebuild route; then (as long again at most) for the rest the appends set off (every projection,
#       ingestion's forwarder to RabbitMQ, verification's inbox; the output says if it still ran). Then the public
#       log exported through the gateway as NDJSON and as Parquet, streamed and counted (events/s, MB/s,
#       peak RSS growth of every service and of PostgreSQL's processes), beside COPY (SELECT ...) TO STDOUT
#       of the same rows by Npgsql in this process, all rows and the export's own query (its visibility
#       condition). Targets: >= 200,000 events/s as NDJSON, memory growth < 100 MB
#   eng/bench.sh arena     [--models 200] [--battles 5000000] [--rounds 1000] [--seed 1]
#       Bradley-Terry ratings in process, no stack: battles drawn from known ratings counted into pairs,
#       one fit, the bootstrap intervals; times, peak memory, and the fit's distance from the drawn ratings
#   --env NAME=VALUE (freshness, reads, files, export): set for the AppHost and every service, for what-if runs
#   The gateway's limits on callers are lifted (StackOptions.NoCallerLimits): one client address and a few
#   tokens must measure the system, not the limiter; --env RateLimits__Reads__PerSecond=200 puts one back.
#   --batch-size, --pg NAME=VALUE (rebuild): daemon page size / PostgreSQL settings, for what-if runs
set -euo pipefail
cd "$(dirname "$0")/.."
eng/prerequisites.sh
# Quiet, but a failed build shows why instead of ending the script without a word.
if ! build_output=$(dotnet build tests/CommunityEvals.Benchmarks -c Release --nologo -v quiet 2>&1); then
  echo "$build_output" >&2
  exit 1
fi
# The rebuild runs the service's own code in this process: give it the service's garbage collector
# (ASP.NET Core services use the server GC; a console app would get the workstation one), the
# service's thread-pool spinning (the runtime's default limit, 70; the load client turns it off)
# and the first-generation size the AppHost gives the leaderboard-projection service (AppHost/Program.cs).
if [ "${1:-}" = rebuild ]; then
  export DOTNET_gcServer=1
  export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=70
  export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x10000000}
fi
exec dotnet tests/CommunityEvals.Benchmarks/bin/Release/net10.0/CommunityEvals.Benchmarks.dll "$@"
