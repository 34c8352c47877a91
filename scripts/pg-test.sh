#!/bin/sh
# pg-test.sh start DIR | stop DIR - a throwaway PostgreSQL 15 cluster for tests.
#
# start: initdb a cluster for DIR (empty or missing), listening on 127.0.0.1
#        only, on a free port, its unix socket beside the data (never in
#        /var/run), durability off for speed; create role souk with a random
#        password and database souk_test; wait until it accepts connections;
#        print exactly one line on stdout, its DATABASE_URL. Diagnostics go to
#        stderr. On failure nothing is left running or behind.
# stop:  stop that server (pg_ctl stop -m fast) and remove DIR. Only what
#        start made (it carries a marker file) is touched; stopping a DIR that
#        no longer exists is not an error.
#
# As root the server runs as user postgres (initdb refuses root). The cluster
# lives in DIR itself when postgres can reach it; when it cannot (DIR under a
# private 0700 directory, as mktemp -d makes) or DIR is too long for a socket
# path, it lives in a fresh /tmp/souk-pg-XXXXXX that DIR/cluster points to.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARKER=.souk-pg-test

die()
{
    echo "pg-test.sh: $*" >&2
    exit 1
}

usage()
{
    echo "usage: pg-test.sh start DIR | stop DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case "$dir" in
/*) ;;
*) dir="$(pwd)/$dir" ;;
esac
dir=${dir%/}

is_root()
{
    [ "$(id -u)" -eq 0 ]
}

# Run a PostgreSQL binary as the cluster's owner.
as_owner()
{
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# True if something listens on TCP port $1 (IPv4 or IPv6, any address).
port_busy()
{
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

random_port()
{
    n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    echo $((20000 + n % 12000)) # below the ephemeral range (32768+)
}

# Stop the server of cluster root $1 if it runs, then remove $1.
teardown()
{
    if [ -f "$1/data/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop >/dev/null ||
            echo "pg-test.sh: pg_ctl stop failed for $1/data" >&2
    fi
    rm -rf "$1"
}

started=0
root=""
cleanup_failed_start()
{
    [ "$started" = 1 ] && return
    [ -n "$root" ] && [ -f "$root/$MARKER" ] && teardown "$root"
    [ -f "$dir/$MARKER" ] && rm -rf "$dir"
}

start()
{
    [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found (install the postgresql package: scripts/deps.sh test)"
    if [ -e "$dir" ]; then
        [ -d "$dir" ] || die "$dir exists and is not a directory"
        [ -z "$(ls -A "$dir")" ] || die "$dir is not empty (stop the cluster first: pg-test.sh stop $dir)"
    fi
    if is_root; then
        id postgres >/dev/null 2>&1 || die "user postgres does not exist (is the postgresql package installed?)"
    fi
    trap cleanup_failed_start EXIT
    mkdir -p "$dir"
    chmod 700 "$dir"
    touch "$dir/$MARKER"

    root=$dir
    is_root && chown postgres "$dir"
    # The socket path ($root/.s.PGSQL.NNNNN) must fit in 107 bytes.
    if [ ${#dir} -gt 80 ] || ! as_owner test -w "$dir"; then
        root=$(mktemp -d /tmp/souk-pg-XXXXXX)
        touch "$root/$MARKER"
        is_root && chown postgres "$root"
    fi
    echo "$root" >"$dir/cluster"

    pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    if locale -a 2>/dev/null | grep -qix 'c.utf-\{0,1\}8'; then
        loc="--locale=C.UTF-8"
    else
        loc="--no-locale"
    fi
    # Only the socket in the 0700 directory is trusted; TCP needs the password.
    as_owner "$PGBIN/initdb" -D "$root/data" -U postgres -E UTF8 $loc --no-sync \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
        {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }
    cat >>"$root/data/postgresql.conf" <<EOF

# pg-test.sh: a throwaway test cluster, durability traded for speed.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$root'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
shared_buffers = 64MB
max_wal_size = 1GB
logging_collector = off
EOF

    # A port that looks free can still be taken before the server binds it:
    # try a few, and read the log to tell a bind failure from other failures.
    tries=0
    while :; do
        tries=$((tries + 1))
        [ $tries -le 20 ] || die "no free port found after 20 tries"
        port=$(random_port)
        port_busy "$port" && continue
        if as_owner "$PGBIN/pg_ctl" -D "$root/data" -l "$root/data/server.log" \
            -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
            break
        fi
        if grep -q 'could not bind\|could not create any TCP/IP sockets' "$root/data/server.log"; then
            continue
        fi
        cat "$root/data/server.log" >&2
        die "the server did not start"
    done

    i=0
    until as_owner "$PGBIN/pg_isready" -q -h "$root" -p "$port"; do
        i=$((i + 1))
        [ $i -le 100 ] || die "the server does not accept connections"
        sleep 0.1
    done

    # The password travels on stdin (not argv) and reaches SQL as a quoted
    # psql variable.
    printf '%s\n' "\\set pw '$pw'" "CREATE ROLE souk LOGIN PASSWORD :'pw';" \
        'CREATE DATABASE souk_test OWNER souk;' |
        as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
            -h "$root" -p "$port" -U postgres -d postgres >/dev/null ||
        die "could not create role souk and database souk_test"

    echo "$port" >"$dir/port"
    started=1
    echo "postgresql://souk:$pw@127.0.0.1:$port/souk_test"
}

stop()
{
    [ -e "$dir" ] || exit 0
    [ -f "$dir/$MARKER" ] || die "$dir was not made by pg-test.sh start; not touching it"
    root=$dir
    [ -f "$dir/cluster" ] && root=$(cat "$dir/cluster")
    [ -f "$root/$MARKER" ] || die "$root was not made by pg-test.sh start; not touching it"
    teardown "$root"
    rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
