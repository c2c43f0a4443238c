#!/usr/bin/env bash
# Installs what the stack and its tests need from Debian's packages when it is missing:
# RabbitMQ (the event bus) and PostgreSQL 15 (the event store). Both run as private processes
# started by the AppHost or the test fixture, never as system services.
set -euo pipefail

missing=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing+=(postgresql-15)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # The package's post-install tries to start a system node; policy-rc.d may refuse, which is fine.
  apt-get install -y -q "${missing[@]}" >/dev/null
fi
