#!/usr/bin/env bash
# Installs what the stack and its tests need from Debian's packages when it is missing:
# RabbitMQ (the event bus) and PostgreSQL 15 (the event store), both run as private processes by
# the AppHost, never as system services; Node.js for the Hub client; jq, and Python's pika and
# PyJWT for README's examples (eng/readme-examples.sh, which the tests run); Chromium, which the
# browser tests drive through Playwright (its own browser download cannot work offline).
set -euo pipefail

missing=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing+=(postgresql-15)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v jq >/dev/null 2>&1 || missing+=(jq)
/usr/bin/python3 -c 'import pika' 2>/dev/null || missing+=(python3-pika)
/usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null || missing+=(python3-jwt python3-cryptography)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

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
