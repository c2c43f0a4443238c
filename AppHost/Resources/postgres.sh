#!/bin/sh
# PostgreSQL 15 as an Aspire executable resource (there is no container runtime here).
#   postgres.sh <cluster-dir> <server options...>      password in $POSTGRES_PASSWORD
# Creates the cluster on first use, then runs the server until it is asked to stop. The server
# refuses to run as root; as root it runs as the postgres OS user, which must be able to reach
# the cluster.
set -eu

bin=/usr/lib/postgresql/15/bin
cluster=$1
shift
password=${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}
unset POSTGRES_PASSWORD

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups "$@"
  else
    "$@"
  fi
}

if [ "$(id -u)" -eq 0 ] && [ ! -e "$cluster" ]; then
  mkdir -p "$cluster"
  if ! as_server test -x "$cluster"; then
    # The data directory is inside a folder the postgres OS user cannot enter (a clone under /root,
    # mode 700). The cluster lives under /var/lib instead, named after the data directory, and
    # stays reachable from it through a link.
    rmdir "$cluster"
    data_dir=$(dirname "$cluster")
    home=/var/lib/communityevals/$(basename "$(dirname "$data_dir")")-$(printf %s "$data_dir" | sha256sum | cut -c1-12)
    mkdir -p "$home"
    ln -s "$home" "$cluster"
    echo "postgres.sh: the postgres OS user cannot enter $data_dir, so the cluster lives in $home (linked from $cluster)"
  fi
fi

mkdir -p "$cluster"
cluster=$(readlink -f "$cluster")
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$cluster"
fi
chmod 700 "$cluster"

if [ ! -f "$cluster/data/PG_VERSION" ]; then
  # A half-made cluster (initdb interrupted) is made again.
  rm -rf "$cluster/data"
  pwfile=$cluster/.initdb-password
  (umask 077 && printf '%s\n' "$password" > "$pwfile")
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pwfile"
  echo "postgres.sh: creating a cluster in $cluster/data"
  as_server "$bin/initdb" -D "$cluster/data" -U postgres --auth=scram-sha-256 "--pwfile=$pwfile" \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null || { rm -f "$pwfile"; exit 1; }
  rm -f "$pwfile"
fi

data=$cluster/data

# The processes working in the cluster's data directory (every PostgreSQL process of it changes
# there), by their current directory: a server's backends outlive it when it is killed outright.
processes_in_data() {
  find /proc/[0-9]*/cwd -maxdepth 0 -lname "$data" 2>/dev/null | cut -d/ -f3
}

# A server killed outright (SIGKILL, the OOM killer) may leave backends still finishing a statement
# (a long one never notices its postmaster is gone). Without their postmaster they can do nothing
# useful, yet they keep its shared memory attached, so PostgreSQL refuses to start beside them
# ("pre-existing shared memory block is still in use"), and they hold this script's output, so the
# orchestrator does not see the resource end (and restart it) until they go. They get 2 seconds to
# notice and go, then are killed.
end_leftovers() {
  waited=0
  while [ -n "$(processes_in_data)" ] && [ "$waited" -lt 10 ]; do
    sleep 0.2
    waited=$((waited + 1))
  done
  leftovers=$(processes_in_data)
  if [ -n "$leftovers" ]; then
    echo "postgres.sh: killing what the server left running: $(echo $leftovers)"
    kill -KILL $leftovers 2>/dev/null || true
    waited=0
    while [ -n "$(processes_in_data)" ] && [ "$waited" -lt 50 ]; do
      sleep 0.2
      waited=$((waited + 1))
    done
  fi
}

# The lock file of a server that did not stop cleanly goes too: its process id may belong to another
# process by now, which PostgreSQL would take for a server still running.
lock=$data/postmaster.pid
if [ -f "$lock" ]; then
  previous=$(head -n 1 "$lock")
  if [ "$(readlink "/proc/$previous/cwd" 2>/dev/null)" != "$data" ]; then
    end_leftovers
    echo "postgres.sh: removing the lock file of the previous server ($previous), which did not stop cleanly"
    rm -f "$lock"
  fi
fi

echo "postgres.sh: cluster $data"
if [ "$(id -u)" -eq 0 ]; then
  setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$data" "$@" &
else
  "$bin/postgres" -D "$data" "$@" &
fi
server=$!
# Stopping asks for a fast shutdown (SIGINT): PostgreSQL takes SIGTERM as a smart shutdown, which
# waits for every client to leave, and a server killed instead loses its sequences' cached values
# (a gap in the event log that the projection daemons then wait on).
trap 'kill -INT "$server" 2>/dev/null' TERM INT
status=0
while kill -0 "$server" 2>/dev/null; do
  wait "$server" || status=$?
done
# Stopped cleanly, nothing is left; killed, its backends may be.
end_leftovers
exit "$status"
