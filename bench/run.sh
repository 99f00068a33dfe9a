#!/usr/bin/env bash
# `npm run bench`: Leasehold against Kea (kea-dhcp4, memfile), ISC dhcpd and dnsmasq, side by
# side in one run, driven by perfdhcp. See bench/README.md for the method and the knobs.
#
# Everything runs inside two network namespaces created here, lhb-srv (server, lhs0
# 198.51.100.1/24) and lhb-cli (perfdhcp, lhc0 198.51.100.2/24), joined by one veth pair and
# with no default route. perfdhcp acts as a relay (giaddr 198.51.100.2); the pool 198.18.0.0/16
# exists only inside DHCP payloads. On any exit the server this script started is stopped by
# PID, anything left inside its namespaces is killed by PID, and the namespaces are deleted.
#
# The relay phase (RELAY_PHASE=1, issue 13) then rebuilds the network as three routed namespaces:
# lhb-rcl (perfdhcp's clients, lhrc0 198.18.0.2/16) | lhb-rly (the relay agent: lhrd0 198.18.0.1/16
# downstream, lhru0 198.51.100.2/24 upstream, ip_forward on in this namespace only) | lhb-srv (the
# same server and configuration, lhs0 198.51.100.1/24). perfdhcp always sends as a relay (giaddr =
# its own address, hops 1, port 67); an nftables table inside lhb-rcl turns its broadcasts into a
# client's (0.0.0.0:68, giaddr 0, hops 0) and hands the relay's replies (to chaddr/yiaddr port 68,
# or broadcast) back to perfdhcp's socket. See bench/README.md, "Relay phase".
#
# The failover phase (FAILOVER_PHASE=1, last) measures pairs: two Leasehold servers, two ISC dhcpd (a
# `failover peer`, split 128) and Kea 2.2's HA hook in load-balancing and hot-standby (kea-dhcp4 and
# kea-ctrl-agent on each side). One link, a bridge in lhb-fsw: server A (lhb-fa, lhfa0 198.51.100.1),
# server B (lhb-fb, lhfb0 198.51.100.3) and perfdhcp (lhb-fcl, lhfc0 198.51.100.2), which broadcasts as a
# relay so that both servers see every packet. Per pair: the sustained rate, the CPU of each process, the
# partner's lag once sending stops, whether both lease files agree, and strace's durability check. See
# bench/README.md, "Failover phase".
#
# The DDNS phase (DDNS_PHASE=1, after the classes phase, issue 17) compares Leasehold with configs/dhcpd.conf
# against configs/dhcpd-ddns.conf (dynamic DNS on: every ACK queues TSIG-signed RFC 2136 updates) in the main
# topology, with a BIND named started by this script inside lhb-srv on 198.51.100.1 port 53 (fresh, empty zones
# before every run of leasehold-ddns; its files in a temporary directory; stopped by PID). After each confirm run
# it waits (bounded) for the A, PTR and DHCID records in named to reach the leases ACKed. See bench/README.md,
# "DDNS phase".
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
CONF_DIR=$BENCH_DIR/configs
LIB="node $REPO/dist/bench/lib/cli.js"

# ------------------------------------------------------------------ knobs
if [ "${BENCH_QUICK:-0}" = 1 ]; then   # smoke run: a few seconds per server
  : "${STEP_SECS:=2}" "${SEARCH_STEPS:=1}" "${CONFIRM_SECS:=2}" "${LAT_SECS:=1}" "${FSYNC_SECS:=1}"
  : "${RETRY_FAILED:=0}" "${CLIENTS:=5000}" "${SEARCH_EXTRA:=0}" "${RELAY_SECS:=2}" "${RELAY_SEARCH_STEPS:=0}"
fi
SERVERS=${SERVERS:-"leasehold kea dhcpd dnsmasq"}   # in this order; add kea-mt for Kea with 2 threads, leasehold-udp for Leasehold on UDP sockets
CLIENTS=${CLIENTS:-50000}        # simulated clients: random MACs (perfdhcp -M, -R)
SEED=${SEED:-20261122}           # MAC list and perfdhcp seed
SAT_RATE=${SAT_RATE:-30000}      # offered rate of the saturation probe (DORA/s)
STEP_SECS=${STEP_SECS:-5}        # perfdhcp -p of saturation and search steps
SEARCH_STEPS=${SEARCH_STEPS:-4}  # bisection steps for the highest rate with drops < DROP_MAX %
SEARCH_PRECISION=${SEARCH_PRECISION:-5} # ... then more steps while the interval is wider than this % of the passing rate
SEARCH_EXTRA=${SEARCH_EXTRA:-3}  # ... at most this many
CONFIRM_SECS=${CONFIRM_SECS:-10} # perfdhcp -p of the reported (confirm) run
DROP_MAX=${DROP_MAX:-1}          # % of DORAs allowed to fail
LAT_RATE=${LAT_RATE:-100}        # unloaded latency probe: rate ...
LAT_SECS=${LAT_SECS:-3}          # ... and seconds
HALF_SECS=${HALF_SECS:-}         # seconds of the run of every server at half of Leasehold's rate (default CONFIRM_SECS; 0: skip)
HALF_CONTROL=${HALF_CONTROL:-1}  # 1: also run leasehold-nosync (lease file on tmpfs, not durable) at that rate, as a control
TMPFS_DIR=${TMPFS_DIR:-/dev/shm} # a tmpfs for that control's lease file
SYNC_SAMPLES=${SYNC_SAMPLES:-2000} # lease-sized append + fdatasync timed on the lease files' disk before the runs (0: skip)
FSYNC_RATE=${FSYNC_RATE:-20}     # strace durability check: rate ...
FSYNC_SECS=${FSYNC_SECS:-2}      # ... and seconds
DO_FSYNC_CHECK=${DO_FSYNC_CHECK:-1}
RETRY_FAILED=${RETRY_FAILED:-1}  # repeat a failing search/confirm step once ...
RETRY_BUDGET=${RETRY_BUDGET:-600} # ... while the run is younger than this (s)
RELAY_PHASE=${RELAY_PHASE:-1}    # 1: the relay phase after the others (issue 13)
RELAY_ONLY=${RELAY_ONLY:-0}      # 1: the relay phase alone (RESULTS.md's dora section is left alone)
RELAYS=${RELAYS:-"none leasehold dhcrelay"} # none = no relay agent: perfdhcp relays itself, routed through lhb-rly
RELAY_SERVER=${RELAY_SERVER:-leasehold}     # the server behind the relays
RELAY_RATES=${RELAY_RATES:-"25% 50%"}       # offered rates: N% of RELAY_BASE, or N/s
RELAY_BASE=${RELAY_BASE:-}       # default: this run's sustained rate of RELAY_SERVER, else the last one in RESULTS.md
RELAY_SECS=${RELAY_SECS:-}       # perfdhcp -p of each fixed-rate step (default CONFIRM_SECS)
RELAY_SEARCH_STEPS=${RELAY_SEARCH_STEPS:-3} # then, per relay, this many bisection steps of STEP_SECS above its best passing rate (0: none)
RELAY_SEARCH_MAX=${RELAY_SEARCH_MAX:-}      # upper end of that search (default 1.25 x RELAY_BASE)
RELAY_NODE_OPTS=${RELAY_NODE_OPTS:-}        # node flags for leasehold relay only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p")
CLASSES_PHASE=${CLASSES_PHASE:-1}  # 1: the classes phase after the others: Leasehold with configs/dhcpd.conf against configs/dhcpd-classes.conf
CLASSES_ONLY=${CLASSES_ONLY:-0}    # 1: the classes phase alone (RESULTS.md's dora and relay sections are left alone)
CLASSES_SERVERS=${CLASSES_SERVERS:-"leasehold leasehold-classes"} # the plain configuration first, then the 50 classes
CLASSES_ROUNDS=${CLASSES_ROUNDS:-2} # rounds, the order reversed every other round
# perfdhcp adds option 60 "MSFT 5.0" and option 82 (circuit-id "ge-0/0/7") in that phase, for both servers
CLASSES_PD_OPTS=${CLASSES_PD_OPTS:-"-o 60,4d53465420352e30 -o 82,010867652d302f302f37"}
FAILOVER_PHASE=${FAILOVER_PHASE:-1} # 1: the failover phase last: pairs of servers, each pair in its own namespaces
FAILOVER_ONLY=${FAILOVER_ONLY:-0}   # 1: the failover phase alone (RESULTS.md's other sections are left alone)
FAILOVER_PAIRS=${FAILOVER_PAIRS:-"leasehold-pair dhcpd-pair kea-ha-lb kea-ha-hs"}
FAILOVER_SAT_RATE=${FAILOVER_SAT_RATE:-$SAT_RATE}     # saturation probe of a pair (reported; also the search's ceiling)
FAILOVER_START_RATE=${FAILOVER_START_RATE:-1000}      # the search doubles from here until a step fails, then bisects
FAILOVER_LAG_TIMEOUT=${FAILOVER_LAG_TIMEOUT:-30}      # s after the end of sending to wait for the partner's lease file ...
FAILOVER_LAG_STALL=${FAILOVER_LAG_STALL:-10}          # ... or this long without either file growing while they differ
FAILOVER_READY_TIMEOUT=${FAILOVER_READY_TIMEOUT:-60}  # s for a started pair to reach its normal state
FAILOVER_PRIME_TIMEOUT=${FAILOVER_PRIME_TIMEOUT:-240} # s for a pair started from empty lease files (priming)
FAILOVER_RETRY_BUDGET=${FAILOVER_RETRY_BUDGET:-900}   # repeats of failing steps while the phase is younger than this (s)
FAILOVER_FSYNC=${FAILOVER_FSYNC:-1}                   # 1: strace durability check of every pair
KEA_HEARTBEAT_MS=${KEA_HEARTBEAT_MS:-1000}            # Kea HA heartbeat-delay (its default is 10000)
KEA_HOOKS=${KEA_HOOKS:-}                              # folder of libdhcp_ha.so (found under /usr/lib when empty)
DDNS_PHASE=${DDNS_PHASE:-1}        # 1: the DDNS phase after the classes phase: configs/dhcpd.conf against configs/dhcpd-ddns.conf + BIND
DDNS_ONLY=${DDNS_ONLY:-0}          # 1: the DDNS phase alone (RESULTS.md's other sections are left alone)
DDNS_SERVERS=${DDNS_SERVERS:-"leasehold leasehold-ddns"} # the plain configuration first, then DDNS on
DDNS_ROUNDS=${DDNS_ROUNDS:-2}      # rounds, the order reversed every other round
DDNS_DRAIN_TIMEOUT=${DDNS_DRAIN_TIMEOUT:-120} # s after perfdhcp's exit to wait for every update to be in named ...
DDNS_DRAIN_POLL=${DDNS_DRAIN_POLL:-2}         # ... counting its records (AXFR) every this many s ...
DDNS_DRAIN_STALL=${DDNS_DRAIN_STALL:-40}      # ... and giving up earlier once no count has changed for this long (s)
NAMED=${NAMED:-/usr/sbin/named}    # BIND 9 named (Debian's bind9), run by the DDNS phase
STEP_BEFORE=; STEP_AFTER=          # the DDNS phase's hooks around run_step (named's restart; the drain wait)
PD_EXTRA=                          # perfdhcp options of the phase being run
PHASE_TAG=                         # appended to the phase column (the classes phase's round)
READY_TIMEOUT=${READY_TIMEOUT:-20}
EXIT_WAIT_US=${EXIT_WAIT_US:-500000}   # perfdhcp -W
LEASEHOLD_CMD=${LEASEHOLD_CMD:-"node $REPO/bin/leasehold server -f -d -q -cf {conf} -lf {leases} -pf {workdir}/leasehold.pid {iface}"}
SCRATCH=${BENCH_SCRATCH:-${TMPDIR:-/tmp}/leasehold-bench}
SHM_WORK=$TMPFS_DIR/leasehold-bench-$$
STAMP=$(date +%Y%m%d-%H%M%S)
RES=${RESULTS_DIR:-$SCRATCH/results/$STAMP}
WORK=$SCRATCH/work

NS_SRV=lhb-srv; NS_CLI=lhb-cli
IF_SRV=lhs0; IF_CLI=lhc0
ADDR_SRV=198.51.100.1; ADDR_CLI=198.51.100.2; PLEN=24
# relay phase: clients | relay | server (the server namespace keeps its name, interface and address)
NS_RLY=lhb-rly; NS_RCL=lhb-rcl
IF_RUP=lhru0; IF_RDN=lhrd0; IF_RCL=lhrc0
ADDR_RUP=198.51.100.2             # the relay's upstream address, on the server's /24
ADDR_RDN=198.18.0.1; ADDR_RCL=198.18.0.2; RPLEN=16   # the clients' link: the pool's subnet (its routers option), outside the range
POOL_RE='198\.18\.[0-9]{1,3}\.[0-9]{1,3}'
# failover phase: a switch namespace holding a bridge, and on it server A, server B and perfdhcp
NS_FSW=lhb-fsw; NS_FA=lhb-fa; NS_FB=lhb-fb; NS_FCL=lhb-fcl
IF_FA=lhfa0; IF_FB=lhfb0; IF_FCL=lhfc0
ADDR_FA=198.51.100.1; ADDR_FB=198.51.100.3; ADDR_FCL=198.51.100.2
FO_PEER=bench                     # the failover peer's name in configs/dhcpd-failover-*.conf

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
for b in ip perfdhcp ss timeout flock node; do command -v $b >/dev/null || die "missing $b"; done
[ -f "$REPO/dist/bench/lib/cli.js" ] || die "dist/bench/lib/cli.js missing: run npm run build first"

mkdir -p "$SCRATCH"
exec 9>"$SCRATCH/.lock"
flock -n 9 || die "another bench/run.sh is running"

# ------------------------------------------------------------------ cleanup
SRV_PID=; LAUNCHER_PID=; RLY_PID=; RLY_LAUNCHER=
FO_PIDS=; FO_LAUNCHERS=; FO_MON=   # the failover phase's servers and agents, their launchers, its lease-file monitor
NAMED_PID=; NAMED_LAUNCHER=; NAMED_DIR=   # the DDNS phase's named, its launcher, its temporary directory
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }
ns_kill_pids() {   # kill, by PID, whatever still runs inside one of OUR namespaces
  local ns=$1 p
  ns_exists "$ns" || return 0
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
}
teardown_net() {
  local ns
  for ns in $NS_SRV $NS_CLI $NS_RLY $NS_RCL $NS_FA $NS_FB $NS_FCL $NS_FSW; do
    ns_kill_pids "$ns"
    ns_exists "$ns" && ip netns del "$ns" 2>/dev/null || true
  done
}
cleanup() {
  local p
  for p in $RLY_PID $RLY_LAUNCHER $SRV_PID $LAUNCHER_PID $FO_PIDS $FO_MON $NAMED_PID; do kill -TERM "$p" 2>/dev/null || true; done
  teardown_net
  if [ -n "$NAMED_DIR" ]; then rm -rf "$NAMED_DIR"; fi
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
  rm -rf "$SHM_WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

setup_net() {
  teardown_net   # leftovers of an aborted run
  ip netns add $NS_SRV
  ip netns add $NS_CLI
  ip link add $IF_SRV netns $NS_SRV type veth peer name $IF_CLI netns $NS_CLI
  ip -n $NS_SRV addr add $ADDR_SRV/$PLEN dev $IF_SRV
  ip -n $NS_CLI addr add $ADDR_CLI/$PLEN dev $IF_CLI
  ip -n $NS_SRV link set lo up; ip -n $NS_CLI link set lo up
  ip -n $NS_SRV link set $IF_SRV up; ip -n $NS_CLI link set $IF_CLI up
  local i
  for i in $(seq 50); do
    ip -n $NS_CLI -br addr show $IF_CLI | grep -q UP && ip -n $NS_SRV -br addr show $IF_SRV | grep -q UP && break
    sleep 0.1
  done
  sleep 0.5
}

# ------------------------------------------------------------------ servers
installed() {
  case $1 in
    leasehold|leasehold-udp|leasehold-classes) [ -f "$REPO/dist/src/cli/main.js" ] ;;
    leasehold-ddns) [ -f "$REPO/dist/src/cli/main.js" ] && [ -x "$NAMED" ] && command -v dig >/dev/null ;;
    leasehold-nosync) [ -f "$REPO/dist/src/cli/main.js" ] && [ "$(stat -f -c %T "$TMPFS_DIR" 2>/dev/null)" = tmpfs ] ;;
    kea|kea-mt) command -v kea-dhcp4 >/dev/null ;;
    dhcpd) command -v dhcpd >/dev/null ;;
    dnsmasq) command -v dnsmasq >/dev/null ;;
    *) return 1 ;;
  esac
}
version_of() {
  case $1 in
    leasehold|leasehold-udp|leasehold-nosync|leasehold-classes|leasehold-ddns) echo "Leasehold $(node -p "require('$REPO/package.json').version") ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+changes'), node $(node -v))$([ "$1" = leasehold-udp ] && echo ', UDP sockets')$([ "$1" = leasehold-nosync ] && echo ', lease file on tmpfs: NOT durable (control)')$([ "$1" = leasehold-classes ] && echo ', configs/dhcpd-classes.conf: 50 classes, 200 subclasses')$([ "$1" = leasehold-ddns ] && echo ", configs/dhcpd-ddns.conf: DDNS standard style to $($NAMED -v 2>/dev/null)")" ;;
    kea|kea-mt) echo "Kea $(kea-dhcp4 -v 2>/dev/null)$([ "$1" = kea-mt ] && echo ' MT 2 threads')" ;;
    dhcpd) dhcpd --version 2>&1 | sed 's/^isc-dhcpd-/ISC dhcpd /' ;;
    dnsmasq) dnsmasq --version | head -1 | awk '{print "dnsmasq", $3}' ;;
  esac
}

# prepare_server NAME WORKDIR: fresh scratch dir and empty lease file; sets SRV_CMD and LEASE_PREFIX
prepare_server() {
  local name=$1 w=$2 c
  rm -rf "$w"; mkdir -p "$w"
  case $name in
    leasehold|leasehold-udp|leasehold-nosync|leasehold-classes|leasehold-ddns)
      local lf=$w/dhcpd.leases conf=$CONF_DIR/dhcpd.conf
      [ "$name" = leasehold-classes ] && conf=$CONF_DIR/dhcpd-classes.conf
      [ "$name" = leasehold-ddns ] && conf=$CONF_DIR/dhcpd-ddns.conf
      # the control: the same server with its lease file on tmpfs, where fdatasync costs nothing
      if [ "$name" = leasehold-nosync ]; then rm -rf "$SHM_WORK"; mkdir -p "$SHM_WORK"; lf=$SHM_WORK/dhcpd.leases; fi
      touch "$lf"
      LEASE_PREFIX=$lf
      c=${LEASEHOLD_CMD//\{conf\}/$conf}
      c=${c//\{leases\}/$lf}
      c=${c//\{workdir\}/$w}
      SRV_CMD=${c//\{iface\}/$IF_SRV}
      # the same server forced onto its UDP-socket transport (issue 4: raw must not be slower)
      [ "$name" = leasehold-udp ] && SRV_CMD="env LEASEHOLD_TRANSPORT=udp $SRV_CMD" ;;
    kea|kea-mt)
      local mt='{ "enable-multi-threading": false }'
      [ "$name" = kea-mt ] && mt='{ "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 }'
      sed -e "s#@WORK@#$w#g" -e "s#@IFACE@#$IF_SRV#g" -e "s#@MT@#$mt#" "$CONF_DIR/kea-dhcp4.json.in" > "$w/kea.json"
      LEASE_PREFIX=$w/kea-leases4.csv
      SRV_CMD="env KEA_PIDFILE_DIR='$w' KEA_LOCKFILE_DIR='$w' kea-dhcp4 -c '$w/kea.json'" ;;
    dhcpd)
      touch "$w/dhcpd.leases"
      LEASE_PREFIX=$w/dhcpd.leases
      SRV_CMD="dhcpd -4 -f -d -q -cf '$CONF_DIR/dhcpd.conf' -lf '$w/dhcpd.leases' -pf '$w/dhcpd.pid' $IF_SRV" ;;
    dnsmasq)
      sed -e "s#@WORK@#$w#g" -e "s#@IFACE@#$IF_SRV#g" "$CONF_DIR/dnsmasq.conf" > "$w/dnsmasq.conf"
      LEASE_PREFIX=$w/dnsmasq.leases
      SRV_CMD="dnsmasq --keep-in-foreground --conf-file='$w/dnsmasq.conf'" ;;
  esac
}

stat_cpu() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# the system calls the durability check needs (lib/fsync.ts)
STRACE_CALLS=openat,open,creat,write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,fsync,fdatasync,sync_file_range,syncfs,msync,io_uring_enter

# start_server NAME WORKDIR [strace-output]: 0 when it runs and has bound UDP port 67
start_server() {
  local name=$1 w=$2 trace=${3:-}
  prepare_server "$name" "$w"
  echo "$SRV_CMD" > "$w/cmdline"
  local pidf=$w/.server.pid
  if [ -n "$trace" ]; then
    ip netns exec $NS_SRV env UV_USE_IO_URING=0 strace -f -qq -tt -y -xx -s 16384 -e trace=$STRACE_CALLS \
      -o "$trace" sh -c "echo \$\$ > '$pidf'; exec $SRV_CMD" >"$w/server.out" 2>&1 &
  else
    ip netns exec $NS_SRV sh -c "echo \$\$ > '$pidf'; exec $SRV_CMD" >"$w/server.out" 2>&1 &
  fi
  LAUNCHER_PID=$!
  local i
  for i in $(seq 50); do [ -s "$pidf" ] && break; sleep 0.05; done
  SRV_PID=$(cat "$pidf" 2>/dev/null || true)
  [ -n "$SRV_PID" ] || { log "$name: did not start"; return 1; }
  local t0=$SECONDS bound=0
  while [ $((SECONDS - t0)) -lt "$READY_TIMEOUT" ]; do
    kill -0 "$SRV_PID" 2>/dev/null || { log "$name exited during start-up:"; tail -5 "$w/server.out" >&2; return 1; }
    if [ -n "$(ip netns exec $NS_SRV ss -Hlun 'sport = :67' 2>/dev/null)" ]; then bound=1; break; fi
    # a server that receives through a packet socket (AF_PACKET) only
    if ip netns exec $NS_SRV ss -H -0 -p 2>/dev/null | grep -q "pid=$SRV_PID,"; then bound=1; break; fi
    sleep 0.1
  done
  [ $bound = 1 ] || log "$name: neither UDP port 67 nor a packet socket seen after ${READY_TIMEOUT}s, continuing anyway" 
  # ready: CPU idle for two 200 ms samples (start-up work done)
  local prev cur idle=0
  prev=$(stat_cpu "$SRV_PID")
  for i in $(seq 40); do
    sleep 0.2
    cur=$(stat_cpu "$SRV_PID")
    if [ "$cur" = "$prev" ]; then idle=$((idle + 1)); else idle=0; fi
    prev=$cur
    [ $idle -ge 2 ] && break
  done
  return 0
}

stop_server() {
  local i
  if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
    kill -TERM "$SRV_PID" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SRV_PID" 2>/dev/null && kill -KILL "$SRV_PID" 2>/dev/null || true
  fi
  [ -n "$LAUNCHER_PID" ] && wait "$LAUNCHER_PID" 2>/dev/null || true
  SRV_PID=; LAUNCHER_PID=
}

# ------------------------------------------------------------------ one measurement
STEPS=$RES/steps.tsv
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
calc() { awk "BEGIN{$1}"; }
LAST_DROPS=100; LAST_ACHIEVED=0; LAST_STARTED=0

# run_step SERVER PHASE RATE SECS: fresh server, empty lease file, one perfdhcp run
run_step() {
  local name=$1 phase=$2 rate=$3 secs=$4
  local w=$WORK/$name rep=$RES/$name-$phase-$rate.txt n=1
  while [ -e "$rep" ]; do n=$((n + 1)); rep=$RES/$name-$phase-$rate-$n.txt; done
  LAST_DROPS=100; LAST_ACHIEVED=0; LAST_STARTED=0
  if [ -n "$STEP_BEFORE" ]; then $STEP_BEFORE "$name" "$phase" || return 1; fi
  start_server "$name" "$w" || { stop_server; return 1; }
  LAST_STARTED=1
  local c0 c1 pdcpu b0 b1 mem
  c0=$($LIB cpu "$SRV_PID"); b0=$(busy_ticks)
  local TIMEFORMAT='%U %S'
  # shellcheck disable=SC2086
  pdcpu=$( { time timeout $((secs + 20)) ip netns exec $NS_CLI \
      perfdhcp -4 -g single -l $ADDR_CLI -M "$WORK/macs.txt" -R "$CLIENTS" -s "$SEED" $PD_EXTRA \
               -r "$rate" -p "$secs" -W "$EXIT_WAIT_US" $ADDR_SRV >"$rep" 2>&1 || true; } 2>&1 | tail -1 | awk '{print $1+$2}')
  b1=$(busy_ticks); c1=$($LIB cpu "$SRV_PID"); mem=$($LIB rss "$SRV_PID")
  local leases
  leases=$(grep -ohE "(^|[^0-9.])$POOL_RE([^0-9]|\$)" "$LEASE_PREFIX"* 2>/dev/null | grep -oE "$POOL_RE" | sort -u | wc -l)
  if [ -n "$STEP_AFTER" ]; then $STEP_AFTER "$name" "$phase" "$rate" "$secs" "$rep" "$w" || true; fi
  stop_server
  local u0 s0 u1 s1 rss hwm
  read -r u0 s0 <<<"$c0"; read -r u1 s1 <<<"$c1"; read -r rss hwm <<<"$mem"
  eval "$($LIB perfdhcp "$rep")"
  local do_sent=${P_do_sent:-0} do_recv=${P_do_recv:-0} ra_sent=${P_ra_sent:-0} ra_recv=${P_ra_recv:-0}
  local su ss sc ach drops busy other
  su=$(calc "printf \"%.2f\", $u1 - $u0"); ss=$(calc "printf \"%.2f\", $s1 - $s0")
  sc=$(calc "printf \"%.2f\", $su + $ss")
  ach=$(calc "printf \"%.0f\", ${ra_recv:-0} / $secs")
  drops=$(calc "if (${do_sent:-0} > 0) printf \"%.3f\", 100 * (1 - ${ra_recv:-0} / $do_sent); else print 100")
  busy=$(calc "printf \"%.2f\", ($b1 - $b0) / $(getconf CLK_TCK)")
  other=$(calc "printf \"%.2f\", $busy - $sc - ${pdcpu:-0}")
  printf '%s\n' "$name	$phase$PHASE_TAG	$rate	$secs	$do_sent	$do_recv	$ra_sent	$ra_recv	$ach	$drops	${P_do_min:-}	${P_do_avg:-}	${P_do_max:-}	${P_ra_min:-}	${P_ra_avg:-}	${P_ra_max:-}	$su	$ss	$sc	$pdcpu	$busy	$other	$leases	$rss	$hwm	${P_pd_rate:-}	$(basename "$rep")" >> "$STEPS"
  log "  $name $phase$PHASE_TAG offered=$rate/s ${secs}s: achieved=$ach DORA/s drops=$drops% DO avg=${P_do_avg:-?}ms RA avg=${P_ra_avg:-?}ms srvCPU=${sc}s pdCPU=${pdcpu}s otherCPU=${other}s peakRSS=$((hwm / 1024))MB leases=$leases"
  LAST_DROPS=$drops; LAST_ACHIEVED=$ach
}

passes() { calc "exit !($1 < $DROP_MAX)"; }
round3() { calc "r=$1; if (r<1) {print 1; exit} e=int(log(r)/log(10)); if (e<2) e=2; f=10^(e-2); printf \"%d\", int(r/f+0.5)*f"; }

# The step try_rate runs: run_step (one server), or the failover phase's fo_step (a pair).
STEP_FN=run_step
RETRY_T0=   # retries are allowed while SECONDS - RETRY_T0 < RETRY_BUDGET (default: since the run's start)

# try_rate NAME PHASE RATE SECS: a failing step is repeated once (drops come in bursts here)
try_rate() {
  $STEP_FN "$@" || true
  passes "$LAST_DROPS" && return 0
  if [ "$RETRY_FAILED" = 1 ] && [ "$LAST_STARTED" = 1 ] && [ $((SECONDS - ${RETRY_T0:-$T_START})) -lt "$RETRY_BUDGET" ]; then
    log "  $1: ${LAST_DROPS}% drops at $3/s, repeating this step once"
    $STEP_FN "$@" || true
    passes "$LAST_DROPS" && return 0
  fi
  return 1
}

fsync_check() {
  local name=$1 w=$WORK/$name-strace trace=$RES/$name-strace.txt
  if ! start_server "$name" "$w" "$trace"; then
    stop_server
    printf '%s\n' "$name	unknown (start failed)	0	0	0	0	0	0	0	0" >> "$RES/fsync.tsv"
    return 0
  fi
  timeout $((FSYNC_SECS + 20)) ip netns exec $NS_CLI \
    perfdhcp -4 -g single -l $ADDR_CLI -M "$WORK/macs.txt" -R "$CLIENTS" -s "$SEED" \
             -r "$FSYNC_RATE" -p "$FSYNC_SECS" -W 1000000 $ADDR_SRV >"$RES/$name-strace-perfdhcp.txt" 2>&1 || true
  sleep 0.3
  stop_server
  eval "$($LIB fsync "$trace" "$LEASE_PREFIX")"
  printf '%s\n' "$name	$F_verdict	$F_acks	$F_offers	$F_naks	$F_acks_lease_written_before	$F_acks_lease_synced_before	$F_lease_writes	$F_lease_syncs	$F_io_uring_enter" >> "$RES/fsync.tsv"
  log "  $name durability: $F_verdict (ACKs=$F_acks, lease written before ACK=$F_acks_lease_written_before, fsync'd before ACK=$F_acks_lease_synced_before)"
  gzip -f "$trace" 2>/dev/null || true
}

declare -A NOTE
bench_server() {
  local name=$1 lo=0 hi r i
  log "=== $name ($(version_of "$name"))"
  # 1. saturation probe
  run_step "$name" sat "$SAT_RATE" "$STEP_SECS" || true
  if [ "$LAST_STARTED" = 0 ]; then
    if [ "${name%-udp}" = leasehold ]; then NOTE[$name]="not measured: server not serving yet"
    else NOTE[$name]="not measured: server did not start"; fi
    log "  $name: ${NOTE[$name]}"
    return 0
  fi
  local sat_ach=$LAST_ACHIEVED sat_drops=$LAST_DROPS
  if [ "${sat_ach:-0}" -lt 5 ]; then
    [ "${name%-udp}" = leasehold ] && NOTE[$name]="not measured: server not serving yet (no DORA completed)"
    [ "${name%-udp}" != leasehold ] && NOTE[$name]="not measured: no DORA completed"
    log "  $name: ${NOTE[$name]}"
    return 0
  elif passes "$sat_drops"; then
    lo=$SAT_RATE
  else
    # 2. bisection between 0 and 1.25 x the saturation rate, starting at 0.9 x
    hi=$(calc "printf \"%d\", $sat_ach * 1.25 + 1")
    r=$(round3 "$(calc "print $sat_ach * 0.9")")
    for i in $(seq "$SEARCH_STEPS"); do
      if try_rate "$name" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; fi
      r=$(round3 "$(calc "print ($lo + $hi) / 2")")
    done
    i=0
    while [ "$lo" = 0 ] && [ $i -lt 3 ]; do
      r=$(round3 "$(calc "print $hi / 2")")
      if try_rate "$name" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; fi
      i=$((i + 1))
    done
    [ "$lo" = 0 ] && lo=$hi
    # 2b. the same precision for every server: a first probe that fails narrowly leaves [0, that rate] to bisect,
    # a passing one a far narrower interval; bisect on while the interval is wider than SEARCH_PRECISION %
    i=0
    while [ "$lo" -lt "$hi" ] && [ "$i" -lt "$SEARCH_EXTRA" ] && calc "exit !($hi - $lo > $lo * $SEARCH_PRECISION / 100)"; do
      r=$(round3 "$(calc "print ($lo + $hi) / 2")")
      { [ "$r" = "$lo" ] || [ "$r" = "$hi" ]; } && break
      if try_rate "$name" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; fi
      i=$((i + 1))
    done
  fi
  # 3. confirm at the best passing rate (the reported row), then up to two steps of -20 %
  r=$lo
  for i in 0 1 2; do
    try_rate "$name" confirm "$r" "$CONFIRM_SECS" && break
    r=$(round3 "$(calc "print $r * 0.8")")
  done
  # 4. unloaded latency, 5. durability
  run_step "$name" lat "$LAT_RATE" "$LAT_SECS" || true
  if [ "$DO_FSYNC_CHECK" = 1 ]; then
    if command -v strace >/dev/null; then fsync_check "$name"
    else printf '%s\n' "$name	unknown (no strace)	0	0	0	0	0	0	0	0" >> "$RES/fsync.tsv"; fi
  fi
}

# ------------------------------------------------------------------ relay phase (issue 13)
# clients (lhb-rcl) | relay agent (lhb-rly) | server (lhb-srv), routed. Built after the other phases'
# namespaces are gone; torn down by the same teardown_net.
setup_relay_net() {
  teardown_net
  ip netns add $NS_SRV; ip netns add $NS_RLY; ip netns add $NS_RCL
  ip link add $IF_SRV netns $NS_SRV type veth peer name $IF_RUP netns $NS_RLY
  ip link add $IF_RCL netns $NS_RCL type veth peer name $IF_RDN netns $NS_RLY
  ip -n $NS_SRV addr add $ADDR_SRV/$PLEN dev $IF_SRV
  ip -n $NS_RLY addr add $ADDR_RUP/$PLEN dev $IF_RUP
  ip -n $NS_RLY addr add $ADDR_RDN/$RPLEN dev $IF_RDN
  ip -n $NS_RCL addr add $ADDR_RCL/$RPLEN dev $IF_RCL
  local ns
  for ns in $NS_SRV $NS_RLY $NS_RCL; do ip -n $ns link set lo up; done
  ip -n $NS_SRV link set $IF_SRV up; ip -n $NS_RLY link set $IF_RUP up
  ip -n $NS_RLY link set $IF_RDN up; ip -n $NS_RCL link set $IF_RCL up
  # routed: the relay namespace forwards (its own sysctl; the root namespace's is not touched)
  ip netns exec $NS_RLY sysctl -q -w net.ipv4.ip_forward=1
  ip -n $NS_SRV route add 198.18.0.0/$RPLEN via $ADDR_RUP dev $IF_SRV
  ip -n $NS_RCL route add 198.51.100.0/$PLEN via $ADDR_RDN dev $IF_RCL
  # perfdhcp as a client population: its broadcasts leave as a client's DISCOVER/REQUEST (from
  # 0.0.0.0:68, giaddr 0, hops 0), and whatever the relay sends to port 68 (unicast to yiaddr at
  # chaddr, or broadcast) is handed to perfdhcp's socket (ADDR_RCL:67). UDP checksums are left 0
  # (none, legal in IPv4) after the rewrite; checksum offload is off so nothing is left partial.
  local mac
  mac=$(ip netns exec $NS_RCL cat /sys/class/net/$IF_RCL/address)
  ip netns exec $NS_RCL ethtool -K $IF_RCL tx off >/dev/null 2>&1 || true
  ip netns exec $NS_RCL nft -f - <<NFT
table netdev lhb_clients {
  chain out {
    type filter hook egress device "$IF_RCL" priority 0;
    ip daddr 255.255.255.255 udp dport 67 ip saddr set 0.0.0.0 udp sport set 68 @th,88,8 set 0 @th,256,32 set 0 udp checksum set 0 counter
  }
  chain in {
    type filter hook ingress device "$IF_RCL" priority 0;
    udp dport 68 ether daddr set $mac meta pkttype set host ip daddr set $ADDR_RCL udp dport set 67 udp checksum set 0 counter
  }
}
NFT
  local i
  for i in $(seq 50); do
    ip -n $NS_RCL -br link show $IF_RCL | grep -q UP && ip -n $NS_SRV -br link show $IF_SRV | grep -q UP && break
    sleep 0.1
  done
  sleep 0.5
}

relay_installed() {
  case $1 in
    none) return 0 ;;
    leasehold) [ -f "$REPO/dist/src/cli/main.js" ] ;;
    dhcrelay) [ -x /usr/sbin/dhcrelay ] ;;
    *) return 1 ;;
  esac
}
relay_version() {
  case $1 in
    none) echo "no relay agent: perfdhcp -l $ADDR_RCL relays itself, routed through $NS_RLY" ;;
    leasehold) echo "leasehold relay, $(version_of leasehold)" ;;
    dhcrelay) /usr/sbin/dhcrelay --version 2>&1 | head -1 | sed 's/^isc-dhcrelay-/ISC dhcrelay /' ;;
  esac
}

# start_relay NAME WORKDIR: the relay agent in lhb-rly, foreground (-d) with its per-packet log lines
# going to a file, as each relay writes them; 0 once it has logged that it serves and gone idle
start_relay() {
  local name=$1 w=$2 cmd ready
  mkdir -p "$w"
  case $name in
    leasehold) cmd="node ${RELAY_NODE_OPTS:+$RELAY_NODE_OPTS }$REPO/bin/leasehold relay -d -id $IF_RDN -iu $IF_RUP $ADDR_SRV"; ready='^Relay agent starting service\.$' ;;
    dhcrelay) cmd="/usr/sbin/dhcrelay -4 -d --no-pid -id $IF_RDN -iu $IF_RUP $ADDR_SRV"; ready='^Sending on +Socket/fallback' ;;
    *) return 1 ;;
  esac
  echo "$cmd" > "$w/relay-cmdline"
  local pidf=$w/.relay.pid
  rm -f "$pidf"
  ip netns exec $NS_RLY sh -c "echo \$\$ > '$pidf'; exec $cmd" >"$w/relay.out" 2>&1 &
  RLY_LAUNCHER=$!
  local i
  for i in $(seq 50); do [ -s "$pidf" ] && break; sleep 0.05; done
  RLY_PID=$(cat "$pidf" 2>/dev/null || true)
  [ -n "$RLY_PID" ] || { log "relay $name: did not start"; return 1; }
  local t0=$SECONDS
  until grep -qE "$ready" "$w/relay.out" 2>/dev/null; do
    kill -0 "$RLY_PID" 2>/dev/null || { log "relay $name exited during start-up:"; tail -5 "$w/relay.out" >&2; return 1; }
    [ $((SECONDS - t0)) -lt "$READY_TIMEOUT" ] || { log "relay $name: not ready after ${READY_TIMEOUT}s"; return 1; }
    sleep 0.1
  done
  local prev cur idle=0
  prev=$(stat_cpu "$RLY_PID")
  for i in $(seq 40); do
    sleep 0.2
    cur=$(stat_cpu "$RLY_PID")
    if [ "$cur" = "$prev" ]; then idle=$((idle + 1)); else idle=0; fi
    prev=$cur
    [ $idle -ge 2 ] && break
  done
  return 0
}

stop_relay() {
  local i
  if [ -n "$RLY_PID" ] && kill -0 "$RLY_PID" 2>/dev/null; then
    kill -TERM "$RLY_PID" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$RLY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$RLY_PID" 2>/dev/null && kill -KILL "$RLY_PID" 2>/dev/null || true
  fi
  [ -n "$RLY_LAUNCHER" ] && wait "$RLY_LAUNCHER" 2>/dev/null || true
  RLY_PID=; RLY_LAUNCHER=
}

RSTEPS=$RES/relay.tsv
# run_relay_step RELAY PHASE RATE SECS: fresh server (empty lease file), fresh relay, one perfdhcp run
run_relay_step() {
  local relay=$1 phase=$2 rate=$3 secs=$4
  local w=$WORK/relay-$relay rep=$RES/relay-$relay-$phase-$rate.txt n=1
  while [ -e "$rep" ]; do n=$((n + 1)); rep=$RES/relay-$relay-$phase-$rate-$n.txt; done
  LAST_DROPS=100; LAST_STARTED=0
  start_server "$RELAY_SERVER" "$WORK/relay-srv" || { stop_server; return 1; }
  if [ "$relay" != none ]; then
    start_relay "$relay" "$w" || { stop_relay; stop_server; return 1; }
  fi
  LAST_STARTED=1
  local load c0 c1 r0 r1 b0 b1 pdcpu hwm=0 target
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # none: perfdhcp relays itself (giaddr ADDR_RCL) to the server, unicast, routed through lhb-rly;
  # a relay: perfdhcp broadcasts on its link (no server argument), rewritten into client form
  if [ "$relay" = none ]; then target="-l $ADDR_RCL $ADDR_SRV"; else target="-l $IF_RCL"; fi
  c0=$($LIB cpu "$SRV_PID"); r0="0 0"; [ -n "$RLY_PID" ] && r0=$($LIB cpu "$RLY_PID"); b0=$(busy_ticks)
  local TIMEFORMAT='%U %S'
  # shellcheck disable=SC2086
  pdcpu=$( { time timeout $((secs + 20)) ip netns exec $NS_RCL \
      perfdhcp -4 -g single -M "$WORK/macs.txt" -R "$CLIENTS" -s "$SEED" \
               -r "$rate" -p "$secs" -W "$EXIT_WAIT_US" $target >"$rep" 2>&1 || true; } 2>&1 | tail -1 | awk '{print $1+$2}')
  b1=$(busy_ticks); c1=$($LIB cpu "$SRV_PID"); r1="0 0"
  if [ -n "$RLY_PID" ]; then r1=$($LIB cpu "$RLY_PID"); read -r _ hwm <<<"$($LIB rss "$RLY_PID")"; fi
  stop_relay
  stop_server
  local u0 s0 u1 s1 ru0 rs0 ru1 rs1
  read -r u0 s0 <<<"$c0"; read -r u1 s1 <<<"$c1"; read -r ru0 rs0 <<<"$r0"; read -r ru1 rs1 <<<"$r1"
  eval "$($LIB perfdhcp "$rep")"
  local do_sent=${P_do_sent:-0} do_recv=${P_do_recv:-0} ra_sent=${P_ra_sent:-0} ra_recv=${P_ra_recv:-0}
  local sc ru rs rc ach drops busy other
  sc=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  ru=$(calc "printf \"%.2f\", $ru1 - $ru0"); rs=$(calc "printf \"%.2f\", $rs1 - $rs0")
  rc=$(calc "printf \"%.2f\", $ru + $rs")
  ach=$(calc "printf \"%.0f\", ${ra_recv:-0} / $secs")
  drops=$(calc "if (${do_sent:-0} > 0) printf \"%.3f\", 100 * (1 - ${ra_recv:-0} / $do_sent); else print 100")
  busy=$(calc "printf \"%.2f\", ($b1 - $b0) / $(getconf CLK_TCK)")
  other=$(calc "printf \"%.2f\", $busy - $sc - $rc - ${pdcpu:-0}")
  local l1 l5 l15; read -r l1 l5 l15 <<<"$load"
  printf '%s\n' "$relay	$phase	$rate	$secs	$do_sent	$do_recv	$ra_sent	$ra_recv	$ach	$drops	${P_do_avg:-}	${P_do_max:-}	${P_ra_avg:-}	${P_ra_max:-}	$ru	$rs	$rc	$sc	$pdcpu	$busy	$other	$hwm	$l1	$l5	$l15	$(basename "$rep")" >> "$RSTEPS"
  local per=''
  [ "$relay" != none ] && per=" relayCPU=${rc}s ($(calc "if (${ra_recv:-0} > 0) printf \"%.1f\", 1e6 * $rc / $ra_recv; else print \"n/a\"") us/DORA)"
  log "  relay=$relay $phase offered=$rate/s ${secs}s: achieved=$ach DORA/s drops=$drops% DO avg=${P_do_avg:-?}ms RA avg=${P_ra_avg:-?}ms$per srvCPU=${sc}s pdCPU=${pdcpu}s otherCPU=${other}s load=$l1"
  LAST_DROPS=$drops
}

relay_phase() {
  local base=$RELAY_BASE from=RELAY_BASE
  if [ -z "$base" ]; then
    base=$(awk -F'\t' -v n="$RELAY_SERVER" -v m="$DROP_MAX" '$1 == n && $2 == "confirm" && $10 + 0 < m { r = $9 } END { if (r > 0) print r }' "$STEPS")
    from="this run's $RELAY_SERVER sustained rate"
  fi
  if [ -z "$base" ] && [ "$RELAY_SERVER" = leasehold ]; then
    base=$($LIB lastrate leasehold); from="Leasehold's sustained rate in bench/RESULTS.md"
  fi
  local rates
  if ! rates=$($LIB relayrates "$RELAY_RATES" "$base"); then log "relay phase skipped: RELAY_RATES='$RELAY_RATES' with no base rate (set RELAY_BASE)"; return 0; fi
  local secs=${RELAY_SECS:-$CONFIRM_SECS} run='' r
  for r in $RELAYS; do
    if relay_installed "$r"; then run="$run $r"; else log "relay $r is not installed: skipped"; fi
  done
  log "=== relay phase: server $RELAY_SERVER, relays:$run; rates $(echo $rates) /s (RELAY_RATES='$RELAY_RATES' of $base/s, $from)"
  printf 'relay\tphase\toffered\tsecs\tdo_sent\tdo_recv\tra_sent\tra_recv\tachieved\tdrops_pct\tdo_avg\tdo_max\tra_avg\tra_max\trelay_utime\trelay_stime\trelay_cpu\tsrv_cpu\tpd_cpu\tsys_busy\tother_cpu\trelay_hwm_kb\tload1\tload5\tload15\treport\n' > "$RSTEPS"
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "load average at the start of the phase: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this 2-core machine moves every figure)"
    echo "server: $(version_of "$RELAY_SERVER"), bench/configs, empty lease file at every step"
    for r in $run; do echo "relay $r: $(relay_version "$r")"; done
    echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1); clients: $CLIENTS MACs, seed $SEED"
    echo "rates: RELAY_RATES='$RELAY_RATES' of $base/s ($from) -> $(echo $rates); RELAY_SECS=$secs; RELAY_SEARCH_STEPS=$RELAY_SEARCH_STEPS x ${STEP_SECS}s; DROP_MAX=$DROP_MAX %"
  } > "$RES/relay-env.txt"
  setup_relay_net
  # fixed rates, the relays interleaved at each rate
  for r in $rates; do
    for x in $run; do run_relay_step "$x" fixed "$r" "$secs" || log "  relay=$x at $r/s: not measured (start failed)"; done
  done
  # short search per relay: bisection above its best passing fixed rate, up to RELAY_SEARCH_MAX
  if [ "$RELAY_SEARCH_STEPS" -gt 0 ] && [ -n "$base" ]; then
    local hi0=${RELAY_SEARCH_MAX:-$(round3 "$(calc "print $base * 1.25")")} lo hi i
    for x in $run; do
      lo=$(awk -F'\t' -v n="$x" -v m="$DROP_MAX" '$1 == n && $10 + 0 < m && $3 + 0 > r { r = $3 + 0 } END { print r + 0 }' "$RSTEPS")
      hi=$(awk -F'\t' -v n="$x" -v m="$DROP_MAX" -v h="$hi0" 'BEGIN { r = h } $1 == n && $10 + 0 >= m && $3 + 0 < r { r = $3 + 0 } END { print r }' "$RSTEPS")
      r=$(round3 "$base")
      calc "exit !($r > $lo && $r < $hi)" || r=$(round3 "$(calc "print ($lo + $hi) / 2")")
      for i in $(seq "$RELAY_SEARCH_STEPS"); do
        { [ "$r" -le "$lo" ] || [ "$r" -ge "$hi" ]; } && break
        run_relay_step "$x" search "$r" "$STEP_SECS" || break
        if passes "$LAST_DROPS"; then lo=$r; else hi=$r; fi
        r=$(round3 "$(calc "print ($lo + $hi) / 2")")
      done
    done
  fi
  teardown_net
}

# ------------------------------------------------------------------ classes phase
# Leasehold's sustained rate with configs/dhcpd.conf and with configs/dhcpd-classes.conf (50 classes,
# 200 subclasses), perfdhcp sending the same packets to both (CLASSES_PD_OPTS), each searched and
# confirmed as in the main phases; CLASSES_ROUNDS rounds, the order reversed every other round. Its
# own steps file (classes.tsv) and RESULTS.md section (classes).
classes_phase() {
  local run='' s r order
  for s in $CLASSES_SERVERS; do
    if installed "$s"; then run="$run $s"; else log "$s is not installed: skipped"; fi
  done
  [ -n "$run" ] || return 0
  local saved_steps=$STEPS saved_fsync=$DO_FSYNC_CHECK
  STEPS=$RES/classes.tsv; DO_FSYNC_CHECK=0; PD_EXTRA=$CLASSES_PD_OPTS
  head -1 "$saved_steps" > "$STEPS"
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "load average at the start of the phase: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this 2-core machine moves every figure)"
    for s in $run; do echo "$s: $(version_of "$s")"; done
    echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1); clients: $CLIENTS MACs, seed $SEED; extra options: $CLASSES_PD_OPTS"
    echo "knobs: CLASSES_ROUNDS=$CLASSES_ROUNDS SAT_RATE=$SAT_RATE STEP_SECS=$STEP_SECS SEARCH_STEPS=$SEARCH_STEPS SEARCH_EXTRA=$SEARCH_EXTRA CONFIRM_SECS=$CONFIRM_SECS DROP_MAX=$DROP_MAX BENCH_QUICK=${BENCH_QUICK:-0}"
  } > "$RES/classes-env.txt"
  log "=== classes phase:$run, $CLASSES_ROUNDS round(s), perfdhcp $CLASSES_PD_OPTS"
  setup_net
  for r in $(seq "$CLASSES_ROUNDS"); do
    order=$run
    [ $((r % 2)) = 0 ] && order=$(echo $run | tr ' ' '\n' | tac | tr '\n' ' ')
    PHASE_TAG="/r$r"
    for s in $order; do bench_server "$s"; done
  done
  teardown_net
  PHASE_TAG=; PD_EXTRA=; STEPS=$saved_steps; DO_FSYNC_CHECK=$saved_fsync
  echo "wall time: $((SECONDS - T_CLASSES)) s" >> "$RES/classes-env.txt"
}

# ------------------------------------------------------------------ DDNS phase (issue 17)
# Leasehold's sustained rate with configs/dhcpd.conf and with configs/dhcpd-ddns.conf (dynamic DNS on: each
# ACK queues TSIG-signed RFC 2136 updates, A + DHCID then PTR), each searched and confirmed as in the main
# phases, DDNS_ROUNDS rounds, the order reversed every other round. The DNS server is a BIND named started
# here inside lhb-srv, listening on the server namespace's own address only (ADDR_SRV port 53), authoritative
# for bench.example.org. and the pool's reverse zone, its files in a temporary directory of its own; it is
# started afresh (empty zones) before every run of leasehold-ddns and stopped (by PID) during the plain runs.
# After each confirm run of leasehold-ddns, with the server still running, the phase counts the A, DHCID and
# PTR records in named (AXFR) every DDNS_DRAIN_POLL s until they equal the active leases of the run's lease
# file, or no count changed for DDNS_DRAIN_STALL s, or DDNS_DRAIN_TIMEOUT s went by. Its own steps file
# (ddns.tsv), the drain rows (ddns-drain.tsv) and RESULTS.md section (ddns).
DDNS_ZONE_FWD=bench.example.org.
DDNS_ZONE_REV=18.198.in-addr.arpa.
NAMED_CPU0="0 0"

stop_named() {
  local i
  if [ -n "$NAMED_PID" ] && kill -0 "$NAMED_PID" 2>/dev/null; then
    kill -TERM "$NAMED_PID" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$NAMED_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$NAMED_PID" 2>/dev/null && kill -KILL "$NAMED_PID" 2>/dev/null || true
  fi
  [ -n "$NAMED_LAUNCHER" ] && wait "$NAMED_LAUNCHER" 2>/dev/null || true
  NAMED_PID=; NAMED_LAUNCHER=
  if [ -n "$NAMED_DIR" ]; then rm -rf "$NAMED_DIR"; NAMED_DIR=; fi
}

# named_soa ZONE: 1 when named answers ZONE's SOA
named_soa() { ip netns exec $NS_SRV dig @$ADDR_SRV +short +time=1 +tries=1 "$1" SOA 2>/dev/null | grep -vc '^;' || true; }

# start_named: a fresh named with empty zones (SOA, NS and the NS name's address only) inside lhb-srv,
# in a new temporary directory; 0 once it answers both zones' SOA
start_named() {
  stop_named
  NAMED_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lhb-named.XXXXXX")
  local secret z pidf=$NAMED_DIR/.launch.pid i t0=$SECONDS
  secret=$(sed -n 's/^[[:space:]]*secret "\([A-Za-z0-9+/=]*\)";.*/\1/p' "$CONF_DIR/dhcpd-ddns.conf" | head -1)
  [ -n "$secret" ] || { log "named: no key secret found in configs/dhcpd-ddns.conf"; return 1; }
  sed -e "s#@DIR@#$NAMED_DIR#g" -e "s#@ADDR@#$ADDR_SRV#g" -e "s#@SECRET@#$secret#g" \
    "$CONF_DIR/named-ddns/named.conf.in" > "$NAMED_DIR/named.conf"
  for z in $DDNS_ZONE_FWD $DDNS_ZONE_REV; do
    sed -e "s#@ADDR@#$ADDR_SRV#g" "$CONF_DIR/named-ddns/${z}db.in" > "$NAMED_DIR/${z}db"
  done
  ip netns exec $NS_SRV sh -c "echo \$\$ > '$pidf'; exec '$NAMED' -g -4 -c '$NAMED_DIR/named.conf'" >"$NAMED_DIR/named.log" 2>&1 &
  NAMED_LAUNCHER=$!
  for i in $(seq 50); do [ -s "$pidf" ] && break; sleep 0.05; done
  NAMED_PID=$(cat "$pidf" 2>/dev/null || true)
  [ -n "$NAMED_PID" ] || { log "named: did not start"; return 1; }
  while :; do
    kill -0 "$NAMED_PID" 2>/dev/null || { log "named exited during start-up:"; tail -5 "$NAMED_DIR/named.log" >&2; return 1; }
    if grep -q 'running$' "$NAMED_DIR/named.log" && [ "$(named_soa $DDNS_ZONE_FWD)" = 1 ] &&
       [ "$(named_soa $DDNS_ZONE_REV)" = 1 ]; then return 0; fi
    [ $((SECONDS - t0)) -lt "$READY_TIMEOUT" ] || { log "named: not answering after ${READY_TIMEOUT}s:"; tail -5 "$NAMED_DIR/named.log" >&2; return 1; }
    sleep 0.1
  done
}

# named_count ZONE: "A DHCID PTR", the records of ZONE by AXFR (the zone's own SOA, NS and the NS name's A left
# out); "err" when the transfer failed
named_count() {
  ip netns exec $NS_SRV timeout 60 dig @$ADDR_SRV +onesoa +nocmd +nocomments +nostats +time=20 +tries=1 "$1" AXFR 2>/dev/null |
    awk -v ns="ns.$DDNS_ZONE_FWD" 'BEGIN { a = 0; d = 0; p = 0; e = 0; n = 0 }
      /^;/ { e = 1; next }
      NF >= 5 { n++; if ($4 == "A" && $1 != ns) a++; else if ($4 == "DHCID") d++; else if ($4 == "PTR") p++ }
      END { if (e || n == 0) print "err"; else print a, d, p }' || true
}

# STEP_BEFORE: a fresh named before every run of leasehold-ddns; none during the plain configuration's runs
ddns_before() {
  if [ "$1" = leasehold-ddns ]; then
    start_named || { stop_named; return 1; }
    NAMED_CPU0=$($LIB cpu "$NAMED_PID")
  else
    stop_named
  fi
}

# STEP_AFTER (perfdhcp done, the server still running): after a confirm run of leasehold-ddns, wait until named
# holds an A, a DHCID and a PTR record for every active lease of the run (or the counts stall, or the timeout)
ddns_after() {
  local name=$1 phase=$2 rate=$3 secs=$4 rep=$5 w=$6
  [ "$name" = leasehold-ddns ] && [ -n "$NAMED_PID" ] || return 0
  case $phase in confirm*) ;; *) return 0 ;; esac
  local t_end ncpu1 scpu0 exp now fwd rev a=0 d=0 p=0 last='' last_change outcome drain_ms='' polls=0 axfr_err=0 first_poll=
  t_end=$(date -r "$rep" +%s%3N)   # perfdhcp's exit: the last write of its report
  ncpu1=$($LIB cpu "$NAMED_PID"); scpu0=$($LIB cpu "$SRV_PID")
  last_change=$t_end
  while :; do
    now=$(date +%s%3N)
    [ -n "$first_poll" ] || first_poll=$((now - t_end))
    # counted at every poll: an overloaded server still ACKs the requests left in its socket queue after perfdhcp exits
    eval "$($LIB focheck isc "$LEASE_PREFIX" "$LEASE_PREFIX")"
    exp=$C_heldA
    fwd=$(named_count $DDNS_ZONE_FWD); rev=$(named_count $DDNS_ZONE_REV)
    polls=$((polls + 1))
    if [ "$fwd" = err ] || [ "$rev" = err ]; then
      axfr_err=$((axfr_err + 1))
    else
      read -r a d _ <<<"$fwd"; read -r _ _ p <<<"$rev"
      [ "$exp $a $d $p" != "$last" ] && { last="$exp $a $d $p"; last_change=$now; }
      if [ "$a" = "$exp" ] && [ "$d" = "$exp" ] && [ "$p" = "$exp" ]; then outcome=complete; drain_ms=$((now - t_end)); break; fi
    fi
    now=$(date +%s%3N)
    if [ $((now - t_end)) -ge $((DDNS_DRAIN_TIMEOUT * 1000)) ]; then outcome=timeout; break; fi
    if [ $((now - last_change)) -ge $((DDNS_DRAIN_STALL * 1000)) ]; then outcome=stalled; break; fi
    sleep "$DDNS_DRAIN_POLL"
  done
  local scpu1 ncpu2 rss hwm u0 s0 u1 s1 named_run named_drain srv_drain
  scpu1=$($LIB cpu "$SRV_PID"); ncpu2=$($LIB cpu "$NAMED_PID"); read -r rss hwm <<<"$($LIB rss "$SRV_PID")"
  read -r u0 s0 <<<"$NAMED_CPU0"; read -r u1 s1 <<<"$ncpu1"; named_run=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  read -r u0 s0 <<<"$ncpu1"; read -r u1 s1 <<<"$ncpu2"; named_drain=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  read -r u0 s0 <<<"$scpu0"; read -r u1 s1 <<<"$scpu1"; srv_drain=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  sleep 0.1   # the server's log lines are written at most 20 ms apart
  local out=$w/server.out nlog=$NAMED_DIR/named.log unable failed retrying fwd_added rev_added log_lines named_lines named_refused named_dropped
  unable=$(grep -c 'Unable to' "$out" || true)
  failed=$(grep -c 'FAILED' "$out" || true)
  retrying=$(grep -c '; retrying$' "$out" || true)
  fwd_added=$(grep -c '^Added new forward map' "$out" || true)
  rev_added=$(grep -c '^Added reverse map' "$out" || true)
  log_lines=$(wc -l < "$out")
  named_lines=$(wc -l < "$nlog")
  named_refused=$(grep -E 'update (failed|unsuccessful)|denied|REFUSED|BADSIG|BADKEY' "$nlog" | grep -vciE 'too many|quota' || true)
  named_dropped=$(grep -ciE 'too many|quota' "$nlog" || true)
  if [ "$unable" != 0 ] || [ "$failed" != 0 ]; then grep -E 'Unable to|FAILED' "$out" | head -1000 > "${rep%.txt}-server-failures.txt" || true; fi
  if [ "$outcome" != complete ] || [ "${DDNS_KEEP:-0}" = 1 ]; then
    # the evidence: both zones as named holds them, the lease file, the server's DNS log lines
    local z
    for z in $DDNS_ZONE_FWD $DDNS_ZONE_REV; do
      ip netns exec $NS_SRV timeout 60 dig @$ADDR_SRV +onesoa +nocmd +nocomments +nostats +time=20 +tries=1 "$z" AXFR \
        2>&1 | gzip > "${rep%.txt}-zone-${z%.}.txt.gz" || true
    done
    gzip -c "$LEASE_PREFIX" > "${rep%.txt}-dhcpd.leases.gz" || true
    grep -vE '^DHCP(DISCOVER|OFFER|REQUEST|ACK)' "$out" | gzip > "${rep%.txt}-server-dns-log.txt.gz" || true
  fi
  if [ "$named_refused" != 0 ] || [ "$named_dropped" != 0 ]; then
    grep -iE 'update (failed|unsuccessful)|denied|REFUSED|BADSIG|BADKEY|too many|quota' "$nlog" | head -1000 > "${rep%.txt}-named-errors.txt" || true
  fi
  printf '%s\n' "$name	${PHASE_TAG#/}	$rate	$secs	$exp	$a	$d	$p	$outcome	$drain_ms	$first_poll	$((last_change - t_end))	$polls	$axfr_err	$unable	$failed	$retrying	$fwd_added	$rev_added	$log_lines	$named_run	$named_drain	$srv_drain	$rss	$hwm	$named_lines	$named_refused	$named_dropped	$(basename "$rep")" >> "$RES/ddns-drain.tsv"
  log "  $name $phase$PHASE_TAG: DNS $outcome$([ -n "$drain_ms" ] && echo " ${drain_ms}ms after perfdhcp") - A $a/$exp, DHCID $d/$exp, PTR $p/$exp (last change at $((last_change - t_end))ms, $polls polls, $axfr_err failed AXFRs); server log: Unable=$unable FAILED=$failed retrying=$retrying added fwd=$fwd_added rev=$rev_added; named CPU run=${named_run}s drain=${named_drain}s; server CPU drain=${srv_drain}s peakRSS=$((hwm / 1024))MB"
}

# The main phases' search looks no higher than 1.25 x what the saturation probe achieved. A configuration whose
# replies fall further behind than perfdhcp's drop time (1 s) at SAT_RATE offered completes few DORAs there (DDNS
# on, when this was written: 64-84/s at 30,000/s offered, while it passed at 300/s), and every step of its search
# then passes under that ceiling. In that case only (no step above the confirmed rate failed), the search goes on
# upwards: doubling from the confirmed rate while steps pass (up to SAT_RATE), bisection as in the main phases
# (SEARCH_STEPS + SEARCH_EXTRA steps at most, until within SEARCH_PRECISION %), then the confirm run again, the
# reported row (-20 % and again if it fails).
ddns_search_up() {
  local name=$1 lo hi last r i
  [ -z "${NOTE[$name]:-}" ] || return 0
  read -r lo hi last <<<"$(awk -F'\t' -v n="$name" -v t="$PHASE_TAG" -v m="$DROP_MAX" '
    $1 == n && ($2 == "search" t || $2 == "confirm" t) {
      if ($10 + 0 < m) { if ($3 + 0 > lo) lo = $3 + 0 } else fail[++k] = $3 + 0
    }
    $1 == n && $2 == "confirm" t { last = ($10 + 0 < m) ? $3 + 0 : -1 }
    END {
      hi = 0
      for (i = 1; i <= k; i++) if (fail[i] > lo && (hi == 0 || fail[i] < hi)) hi = fail[i]
      print lo + 0, hi, last + 0
    }' "$STEPS")"
  { [ "$hi" = 0 ] && [ "$lo" -gt 0 ] && [ "$last" = "$lo" ] && [ "$lo" -lt "$SAT_RATE" ]; } || return 0
  log "  $name: every step up to $lo/s passed (the search's ceiling is 1.25 x the saturation probe's rate): searching above it"
  r=$lo
  for i in $(seq 10); do
    r=$((r * 2)); [ "$r" -gt "$SAT_RATE" ] && r=$SAT_RATE
    if try_rate "$name" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; break; fi
    [ "$r" -ge "$SAT_RATE" ] && break
  done
  i=0
  while [ "$hi" -gt 0 ] && [ $i -lt $((SEARCH_STEPS + SEARCH_EXTRA)) ] && calc "exit !($hi - $lo > $lo * $SEARCH_PRECISION / 100)"; do
    r=$(round3 "$(calc "print ($lo + $hi) / 2")")
    { [ "$r" = "$lo" ] || [ "$r" = "$hi" ]; } && break
    if try_rate "$name" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; fi
    i=$((i + 1))
  done
  r=$lo
  for i in 0 1 2; do
    try_rate "$name" confirm "$r" "$CONFIRM_SECS" && break
    r=$(round3 "$(calc "print $r * 0.8")")
  done
}

ddns_phase() {
  local run='' s r order
  for s in $DDNS_SERVERS; do
    if installed "$s"; then run="$run $s"; else log "$s is not installed (leasehold-ddns needs $NAMED and dig): skipped"; fi
  done
  [ -n "$run" ] || return 0
  local saved_steps=$STEPS saved_fsync=$DO_FSYNC_CHECK
  STEPS=$RES/ddns.tsv; DO_FSYNC_CHECK=0; PD_EXTRA=
  head -1 "$saved_steps" > "$STEPS"
  printf 'server\tround\toffered\tsecs\texpected\ta\tdhcid\tptr\toutcome\tdrain_ms\tfirst_poll_ms\tlast_change_ms\tpolls\taxfr_errors\tunable\tfailed\tretrying\tfwd_added\trev_added\tlog_lines\tnamed_cpu_run\tnamed_cpu_drain\tsrv_cpu_drain\trss_kb\thwm_kb\tnamed_log_lines\tnamed_refused\tnamed_dropped\treport\n' > "$RES/ddns-drain.tsv"
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "load average at the start of the phase: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this 2-core machine moves every figure)"
    for s in $run; do echo "$s: $(version_of "$s")"; done
    echo "DNS server: $($NAMED -v 2>/dev/null) in $NS_SRV on $ADDR_SRV port 53, authoritative for $DDNS_ZONE_FWD and $DDNS_ZONE_REV (configs/named-ddns), started afresh before every leasehold-ddns run, stopped during the plain runs"
    echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1); clients: $CLIENTS MACs, seed $SEED"
    echo "knobs: DDNS_ROUNDS=$DDNS_ROUNDS SAT_RATE=$SAT_RATE STEP_SECS=$STEP_SECS SEARCH_STEPS=$SEARCH_STEPS SEARCH_EXTRA=$SEARCH_EXTRA CONFIRM_SECS=$CONFIRM_SECS DROP_MAX=$DROP_MAX DDNS_DRAIN_TIMEOUT=$DDNS_DRAIN_TIMEOUT DDNS_DRAIN_POLL=$DDNS_DRAIN_POLL DDNS_DRAIN_STALL=$DDNS_DRAIN_STALL BENCH_QUICK=${BENCH_QUICK:-0}"
  } > "$RES/ddns-env.txt"
  log "=== DDNS phase:$run, $DDNS_ROUNDS round(s), named on $ADDR_SRV:53"
  setup_net
  STEP_BEFORE=ddns_before; STEP_AFTER=ddns_after
  for r in $(seq "$DDNS_ROUNDS"); do
    order=$run
    [ $((r % 2)) = 0 ] && order=$(echo $run | tr ' ' '\n' | tac | tr '\n' ' ')
    PHASE_TAG="/r$r"
    for s in $order; do bench_server "$s"; ddns_search_up "$s"; done
  done
  STEP_BEFORE=; STEP_AFTER=
  stop_named
  teardown_net
  PHASE_TAG=; STEPS=$saved_steps; DO_FSYNC_CHECK=$saved_fsync
  # the tree is shared: say so when the server's version changed while the phase ran (dist/ is what ran)
  local v0 v1
  v0=$(grep -m1 '^leasehold[-a-z]*: ' "$RES/ddns-env.txt" | sed 's/^[^:]*: //; s/, configs.*//')
  v1=$(version_of leasehold)
  [ "$v0" = "$v1" ] || echo "NOTE: the source tree changed during the phase (at its end: $v1); each server's version at its start is in the log" >> "$RES/ddns-env.txt"
  echo "wall time: $((SECONDS - T_DDNS)) s" >> "$RES/ddns-env.txt"
}

# ------------------------------------------------------------------ failover phase
# Pairs of servers keeping each other's leases: two Leasehold servers, two ISC dhcpd and Kea's HA hook in
# load-balancing and in hot-standby (kea-dhcp4 + kea-ctrl-agent on each side). One link: a bridge in
# lhb-fsw with server A (lhb-fa, 198.51.100.1), server B (lhb-fb, 198.51.100.3) and perfdhcp (lhb-fcl,
# 198.51.100.2) on it. perfdhcp relays without a server address: it broadcasts every DISCOVER and REQUEST
# (giaddr 198.51.100.2), so both servers see every packet, as behind a relay with two helper addresses,
# and each answers by unicast to the giaddr. Every step starts the pair afresh: Leasehold and ISC from
# lease files primed once per pair (both NORMAL, the pool balanced between them, no client leases), Kea
# from empty memfiles. See bench/README.md, "Failover phase".

fo_installed() {
  case $1 in
    leasehold-pair) [ -f "$REPO/dist/src/cli/main.js" ] ;;
    dhcpd-pair) command -v dhcpd >/dev/null ;;
    kea-ha-lb|kea-ha-hs) command -v kea-dhcp4 >/dev/null && command -v kea-ctrl-agent >/dev/null &&
      [ -n "$KEA_HOOKS" ] && [ -f "$KEA_HOOKS/libdhcp_ha.so" ] && [ -f "$KEA_HOOKS/libdhcp_lease_cmds.so" ] ;;
    *) return 1 ;;
  esac
}
fo_version() {
  case $1 in
    leasehold-pair) echo "2 x $(version_of leasehold)" ;;
    dhcpd-pair) echo "2 x $(version_of dhcpd)" ;;
    kea-ha-lb|kea-ha-hs) echo "2 x (Kea $(kea-dhcp4 -v 2>/dev/null) + kea-ctrl-agent), libdhcp_ha $([ "$1" = kea-ha-lb ] && echo load-balancing || echo hot-standby), heartbeat-delay $KEA_HEARTBEAT_MS ms" ;;
  esac
}

setup_fo_net() {
  teardown_net
  local ns port ifn addr i
  for ns in $NS_FSW $NS_FA $NS_FB $NS_FCL; do ip netns add $ns; ip -n $ns link set lo up; done
  ip -n $NS_FSW link add br0 type bridge
  ip -n $NS_FSW link set br0 up
  while read -r ns port ifn addr; do
    ip link add $port netns $NS_FSW type veth peer name $ifn netns $ns
    ip -n $NS_FSW link set $port master br0
    ip -n $NS_FSW link set $port up
    ip -n $ns addr add $addr/$PLEN dev $ifn
    ip -n $ns link set $ifn up
  done <<NETS
$NS_FA lhpa $IF_FA $ADDR_FA
$NS_FB lhpb $IF_FB $ADDR_FB
$NS_FCL lhpc $IF_FCL $ADDR_FCL
NETS
  for i in $(seq 50); do
    ip -n $NS_FA -br link show $IF_FA | grep -q UP && ip -n $NS_FB -br link show $IF_FB | grep -q UP &&
      ip -n $NS_FCL -br link show $IF_FCL | grep -q UP && break
    sleep 0.1
  done
  sleep 0.5
}

# fo_spawn NS DIR TAG CMD [TRACE]: CMD in the foreground inside NS (under strace when TRACE is given),
# output to DIR/TAG.out; its PID in SPAWNED and FO_PIDS
fo_spawn() {
  local ns=$1 w=$2 tag=$3 cmd=$4 trace=${5:-} i
  local pidf=$w/.$tag.pid
  rm -f "$pidf"
  echo "$cmd" > "$w/$tag.cmdline"
  if [ -n "$trace" ]; then
    ip netns exec "$ns" env UV_USE_IO_URING=0 strace -f -qq -tt -y -xx -s 16384 -e trace=$STRACE_CALLS \
      -o "$trace" sh -c "echo \$\$ > '$pidf'; exec $cmd" >"$w/$tag.out" 2>&1 &
  else
    ip netns exec "$ns" sh -c "echo \$\$ > '$pidf'; exec $cmd" >"$w/$tag.out" 2>&1 &
  fi
  FO_LAUNCHERS="$FO_LAUNCHERS $!"
  for i in $(seq 100); do [ -s "$pidf" ] && break; sleep 0.05; done
  SPAWNED=$(cat "$pidf" 2>/dev/null || true)
  [ -n "$SPAWNED" ] || return 1
  FO_PIDS="$FO_PIDS $SPAWNED"
}

# fo_prepare PAIR: fresh scratch dirs WORK/fo-PAIR/{a,b}, the lease files (copies of the primed ones when
# FO_PRIMED is set, else empty), the configurations; sets FO_FMT, FO_LF_{A,B}, FO_CMD_{A,B}, FO_CA_CMD_{A,B}
fo_prepare() {
  local pair=$1 base=$WORK/fo-$1 s w role ifn addr name lf c ca conf mode role2 pools
  rm -rf "$base"; mkdir -p "$base/a" "$base/b"
  for s in a b; do
    w=$base/$s; ca=
    if [ $s = a ]; then role=primary; ifn=$IF_FA; addr=$ADDR_FA; name=server1
    else role=secondary; ifn=$IF_FB; addr=$ADDR_FB; name=server2; fi
    case $pair in
      leasehold-pair|dhcpd-pair)
        FO_FMT=isc
        lf=$w/dhcpd.leases; conf=$CONF_DIR/dhcpd-failover-$role.conf
        if [ -n "${FO_PRIMED:-}" ]; then cp "$FO_PRIMED-$s.leases" "$lf"; else : > "$lf"; fi
        if [ $pair = leasehold-pair ]; then
          c=${LEASEHOLD_CMD//\{conf\}/$conf}; c=${c//\{leases\}/$lf}; c=${c//\{workdir\}/$w}; c=${c//\{iface\}/$ifn}
        else
          # without -q: its failover state lines go to stderr (the phase waits for "Both servers normal"),
          # as Leasehold's do; the per-packet lines with them, as Leasehold writes its own
          c="dhcpd -4 -f -d -cf '$conf' -lf '$lf' -pf '$w/dhcpd.pid' $ifn"
        fi ;;
      kea-ha-lb|kea-ha-hs)
        FO_FMT=kea
        mode=load-balancing; role2=secondary
        pools='[ { "pool": "198.18.0.10 - 198.18.127.255", "client-class": "HA_server1" }, { "pool": "198.18.128.0 - 198.18.255.250", "client-class": "HA_server2" } ]'
        if [ $pair = kea-ha-hs ]; then mode=hot-standby; role2=standby; pools='[ { "pool": "198.18.0.10 - 198.18.255.250" } ]'; fi
        sed -e "s#@WORK@#$w#g" -e "s#@IFACE@#$ifn#g" -e "s#@HOOKS@#$KEA_HOOKS#g" -e "s#@NAME@#$name#g" \
            -e "s#@MODE@#$mode#g" -e "s#@ROLE2@#$role2#g" -e "s#@POOLS@#$pools#g" -e "s#@HEARTBEAT@#$KEA_HEARTBEAT_MS#g" \
            "$CONF_DIR/kea-ha-dhcp4.json.in" > "$w/kea.json"
        sed -e "s#@WORK@#$w#g" -e "s#@ADDR@#$addr#g" "$CONF_DIR/kea-ha-ctrl-agent.json.in" > "$w/ctrl-agent.json"
        lf=$w/kea-leases4.csv
        c="env KEA_PIDFILE_DIR='$w' KEA_LOCKFILE_DIR='$w' kea-dhcp4 -c '$w/kea.json'"
        ca="env KEA_PIDFILE_DIR='$w' KEA_LOCKFILE_DIR='$w' kea-ctrl-agent -c '$w/ctrl-agent.json'" ;;
    esac
    if [ $s = a ]; then FO_LF_A=$lf; FO_CMD_A=$c; FO_CA_CMD_A=$ca
    else FO_LF_B=$lf; FO_CMD_B=$c; FO_CA_CMD_B=$ca; fi
  done
}

fo_cpu_ticks() { local p t=0; for p in $FO_PIDS; do t=$((t + $(stat_cpu "$p"))); done; echo $t; }
# fo_events PAIR: failover state changes both servers have logged (Leasehold, ISC: "I move from"; Kea: the HA
# hook's HA_STATE_TRANSITION, and its warnings and errors)
fo_events() {
  local base=$WORK/fo-$1 a b
  if [ "$FO_FMT" = isc ]; then
    a=$(grep -c "failover peer $FO_PEER: I move from" "$base/a/server.out" 2>/dev/null || true)
    b=$(grep -c "failover peer $FO_PEER: I move from" "$base/b/server.out" 2>/dev/null || true)
  else
    a=$(grep -cE 'HA_STATE_TRANSITION|(WARN|ERROR) +\[[^]]*\] HA_' "$base/a/kea.log" 2>/dev/null || true)
    b=$(grep -cE 'HA_STATE_TRANSITION|(WARN|ERROR) +\[[^]]*\] HA_' "$base/b/kea.log" 2>/dev/null || true)
  fi
  echo $((${a:-0} + ${b:-0}))
}

# fo_wait_ready PAIR TIMEOUT IDLE MAXIDLE: both servers in their normal state (Leasehold/ISC: each has
# logged "Both servers normal"; Kea: ha-heartbeat says load-balancing / hot-standby on both), then every
# process of the pair idle for IDLE samples of 200 ms (at most MAXIDLE s)
fo_wait_ready() {
  local pair=$1 timeout=$2 idle_n=${3:-2} max_idle=${4:-20} base=$WORK/fo-$1 t0=$SECONDS p sa='' sb='' want i
  want=load-balancing; [ "$pair" = kea-ha-hs ] && want=hot-standby
  while :; do
    for p in $FO_PIDS; do
      kill -0 "$p" 2>/dev/null || { log "$pair: a process exited during start-up:"; tail -n 3 "$base"/a/*.out "$base"/b/*.out >&2; return 1; }
    done
    if [ "$FO_FMT" = isc ]; then
      grep -q "failover peer $FO_PEER: Both servers normal" "$base/a/server.out" &&
        grep -q "failover peer $FO_PEER: Both servers normal" "$base/b/server.out" && break
    else
      sa=$(ip netns exec $NS_FCL $LIB keastate "http://$ADDR_FA:8000/")
      sb=$(ip netns exec $NS_FCL $LIB keastate "http://$ADDR_FB:8000/")
      [ "$sa" = "$want" ] && [ "$sb" = "$want" ] && break
    fi
    if [ $((SECONDS - t0)) -ge "$timeout" ]; then
      log "$pair: not in its normal state after ${timeout}s${sa:+ (A: $sa, B: $sb)}"
      return 1
    fi
    sleep 0.3
  done
  local prev cur idle=0
  prev=$(fo_cpu_ticks)
  for i in $(seq $((max_idle * 5))); do
    sleep 0.2
    cur=$(fo_cpu_ticks)
    if [ "$cur" = "$prev" ]; then idle=$((idle + 1)); else idle=0; fi
    prev=$cur
    [ $idle -ge "$idle_n" ] && break
  done
  log "  $pair: ready after $((SECONDS - t0)) s"
  return 0
}

# fo_start_pair PAIR [TRACE-PREFIX]: both servers (and Kea's agents), ready; PIDs in FO_A, FO_B, FO_CA_A, FO_CA_B
fo_start_pair() {
  local pair=$1 trace=${2:-} base=$WORK/fo-$1
  fo_prepare "$pair"
  FO_PIDS=; FO_LAUNCHERS=; FO_A=; FO_B=; FO_CA_A=; FO_CA_B=
  fo_spawn $NS_FA "$base/a" server "$FO_CMD_A" "${trace:+$trace-a.txt}" || { log "$pair: server A did not start"; return 1; }
  FO_A=$SPAWNED
  fo_spawn $NS_FB "$base/b" server "$FO_CMD_B" "${trace:+$trace-b.txt}" || { log "$pair: server B did not start"; return 1; }
  FO_B=$SPAWNED
  if [ -n "$FO_CA_CMD_A" ]; then
    fo_spawn $NS_FA "$base/a" agent "$FO_CA_CMD_A" || { log "$pair: control agent A did not start"; return 1; }
    FO_CA_A=$SPAWNED
    fo_spawn $NS_FB "$base/b" agent "$FO_CA_CMD_B" || { log "$pair: control agent B did not start"; return 1; }
    FO_CA_B=$SPAWNED
  fi
  fo_wait_ready "$pair" "${FO_READY_TIMEOUT:-$FAILOVER_READY_TIMEOUT}" "${FO_IDLE_SAMPLES:-2}" "${FO_MAX_IDLE:-20}"
}

# both servers (and agents) at once, by PID: SIGTERM, SIGKILL after 5 s
fo_stop_pair() {
  local p i alive
  for p in $FO_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
  for i in $(seq 50); do
    alive=0
    for p in $FO_PIDS; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in $FO_PIDS; do kill -KILL "$p" 2>/dev/null || true; done
  for p in $FO_LAUNCHERS; do wait "$p" 2>/dev/null || true; done
  FO_PIDS=; FO_LAUNCHERS=
}

# fo_prime PAIR (Leasehold, ISC): the pair from empty lease files until both are NORMAL and the primary has
# balanced the pool (half of its free leases given to the secondary as BACKUP), idle for 1 s; both stopped
# together, their lease files kept as WORK/fo-prime-PAIR-{a,b}.leases for every step (FO_PRIMED)
fo_prime() {
  local pair=$1 t0=$SECONDS backup
  FO_PRIMED=
  log "  $pair: priming (both servers from empty lease files until NORMAL, the pool balanced)"
  if ! FO_READY_TIMEOUT=$FAILOVER_PRIME_TIMEOUT FO_IDLE_SAMPLES=5 FO_MAX_IDLE=180 fo_start_pair "$pair"; then
    fo_stop_pair; return 1
  fi
  fo_stop_pair
  backup=$(grep -c '^  binding state backup;' "$FO_LF_B" || true)
  cp "$FO_LF_A" "$WORK/fo-prime-$pair-a.leases"; cp "$FO_LF_B" "$WORK/fo-prime-$pair-b.leases"
  cp "$WORK/fo-$pair/a/server.out" "$RES/fo-$pair-prime-a.log"; cp "$WORK/fo-$pair/b/server.out" "$RES/fo-$pair-prime-b.log"
  gzip -f "$RES/fo-$pair-prime-a.log" "$RES/fo-$pair-prime-b.log" 2>/dev/null || true
  FO_PRIMED=$WORK/fo-prime-$pair
  echo "$pair: primed in $((SECONDS - t0)) s (backup-state records in B's lease file: $backup)" >> "$RES/failover-env.txt"
  log "  $pair: primed in $((SECONDS - t0)) s"
  [ "${backup:-0}" -gt 0 ] || log "  $pair: WARNING: no lease in backup state after priming (the pool was not balanced)"
  return 0
}

FO_STEPS=$RES/failover.tsv
# fo_step PAIR PHASE RATE SECS: the pair started afresh, one perfdhcp run broadcast to both, the partner's
# lag once sending ends, both stopped, their lease files compared
fo_step() {
  local pair=$1 phase=$2 rate=$3 secs=$4 base=$WORK/fo-$1 rep=$RES/fo-$1-$2-$3.txt n=1 i
  while [ -e "$rep" ]; do n=$((n + 1)); rep=$RES/fo-$pair-$phase-$rate-$n.txt; done
  LAST_DROPS=100; LAST_ACHIEVED=0; LAST_STARTED=0
  fo_start_pair "$pair" || { fo_stop_pair; return 1; }
  LAST_STARTED=1
  local load m=$base/mon ev0 ev1
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  ev0=$(fo_events "$pair")
  mkdir -p "$m"
  # the monitor reads both lease files now, then waits; it polls them from the end of sending on
  $LIB foconverge "$FO_FMT" "$FO_LF_A" "$FO_LF_B" "$m/ready" "$m/start" "$m/done" "$secs" "$FAILOVER_LAG_TIMEOUT" "$FAILOVER_LAG_STALL" >"$m/out" 2>"$m/err" &
  FO_MON=$!
  for i in $(seq 400); do [ -e "$m/ready" ] && break; sleep 0.05; done
  local ca0 cb0 caa0="0 0" cab0="0 0" ca1 cb1 caa1="0 0" cab1="0 0" b0 b1 pdcpu hwa hwb
  ca0=$($LIB cpu "$FO_A"); cb0=$($LIB cpu "$FO_B")
  [ -n "$FO_CA_A" ] && { caa0=$($LIB cpu "$FO_CA_A"); cab0=$($LIB cpu "$FO_CA_B"); }
  b0=$(busy_ticks)
  date +%s%3N > "$m/start.tmp" && mv "$m/start.tmp" "$m/start"
  local TIMEFORMAT='%U %S'
  # no server address: perfdhcp broadcasts (255.255.255.255:67, from 198.51.100.2:67, giaddr 198.51.100.2)
  pdcpu=$( { time timeout $((secs + 20)) ip netns exec $NS_FCL \
      perfdhcp -4 -g single -l $IF_FCL -M "$WORK/macs.txt" -R "$CLIENTS" -s "$SEED" \
               -r "$rate" -p "$secs" -W "$EXIT_WAIT_US" >"$rep" 2>&1 || true; } 2>&1 | tail -1 | awk '{print $1+$2}')
  touch "$m/done"
  b1=$(busy_ticks); ca1=$($LIB cpu "$FO_A"); cb1=$($LIB cpu "$FO_B")
  [ -n "$FO_CA_A" ] && { caa1=$($LIB cpu "$FO_CA_A"); cab1=$($LIB cpu "$FO_CA_B"); }
  read -r _ hwa <<<"$($LIB rss "$FO_A")"; read -r _ hwb <<<"$($LIB rss "$FO_B")"
  wait "$FO_MON" 2>/dev/null || true
  FO_MON=
  ev1=$(fo_events "$pair")
  local L_lag_ms='' L_lag_bound=missing L_first_poll_ms='' L_differing_at_end='' L_polls='' L_settled_ms='' L_differing_settled=''
  eval "$(cat "$m/out")"
  fo_stop_pair
  eval "$($LIB focheck "$FO_FMT" "$FO_LF_A" "$FO_LF_B")"
  local agree=no
  [ "$C_differing" = 0 ] && agree=yes
  if [ "$agree" != yes ] || [ "$C_twoClients" != 0 ]; then
    # keep what shows the disagreement
    log "  $pair: lease files disagree after the run: $C_examples"
    cp "$FO_LF_A" "$rep.a.leases"; cp "$FO_LF_B" "$rep.b.leases"
    if [ "$FO_FMT" = kea ]; then cp "$base/a/kea.log" "$rep.a.log"; cp "$base/b/kea.log" "$rep.b.log"
    else cp "$base/a/server.out" "$rep.a.log"; cp "$base/b/server.out" "$rep.b.log"; fi
    gzip -f "$rep.a.leases" "$rep.b.leases" "$rep.a.log" "$rep.b.log" 2>/dev/null || true
  fi
  eval "$($LIB perfdhcp "$rep")"
  local do_sent=${P_do_sent:-0} do_recv=${P_do_recv:-0} ra_sent=${P_ra_sent:-0} ra_recv=${P_ra_recv:-0}
  local u0 s0 u1 s1 cpa cpb cpca cpcb ach drops busy other
  read -r u0 s0 <<<"$ca0"; read -r u1 s1 <<<"$ca1"; cpa=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  read -r u0 s0 <<<"$cb0"; read -r u1 s1 <<<"$cb1"; cpb=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  read -r u0 s0 <<<"$caa0"; read -r u1 s1 <<<"$caa1"; cpca=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  read -r u0 s0 <<<"$cab0"; read -r u1 s1 <<<"$cab1"; cpcb=$(calc "printf \"%.2f\", $u1 - $u0 + $s1 - $s0")
  ach=$(calc "printf \"%.0f\", ${ra_recv:-0} / $secs")
  drops=$(calc "if (${do_sent:-0} > 0) printf \"%.3f\", 100 * (1 - ${ra_recv:-0} / $do_sent); else print 100")
  busy=$(calc "printf \"%.2f\", ($b1 - $b0) / $(getconf CLK_TCK)")
  other=$(calc "printf \"%.2f\", $busy - $cpa - $cpb - $cpca - $cpcb - ${pdcpu:-0}")
  local l1 l5 l15; read -r l1 l5 l15 <<<"$load"
  printf '%s\n' "$pair	$phase	$rate	$secs	$do_sent	$do_recv	$ra_sent	$ra_recv	$ach	$drops	${P_do_avg:-}	${P_do_max:-}	${P_ra_avg:-}	${P_ra_max:-}	${P_ra_orphans:-}	$cpa	$cpb	$cpca	$cpcb	$pdcpu	$busy	$other	${hwa:-0}	${hwb:-0}	$L_lag_ms	$L_lag_bound	$L_first_poll_ms	$L_differing_at_end	$C_heldA	$C_heldB	$C_onlyA	$C_onlyB	$C_twoClients	$C_multiA	$C_multiB	$agree	$((ev1 - ev0))	$L_settled_ms	$L_differing_settled	$((do_sent - ra_recv))	$l1	$(basename "$rep")" >> "$FO_STEPS"
  local lagtxt="${L_lag_ms:-none}ms"
  [ "$L_lag_bound" = first-poll ] && lagtxt="<=${L_lag_ms}ms"
  [ "$L_lag_bound" = timeout ] && lagtxt=">${FAILOVER_LAG_TIMEOUT}s"
  [ "$L_lag_bound" = stalled ] && lagtxt="stalled (no change for ${FAILOVER_LAG_STALL}s; last growth at ${L_settled_ms}ms, ${L_differing_settled} differing)"
  log "  $pair $phase offered=$rate/s ${secs}s: achieved=$ach DORA/s drops=$drops% RA avg=${P_ra_avg:-?}ms orphans=${P_ra_orphans:-?} CPU A=${cpa}s B=${cpb}s$([ -n "$FO_CA_A" ] && echo " agents=${cpca}+${cpcb}s") pd=${pdcpu}s other=${other}s lag=$lagtxt (differing at end ${L_differing_at_end:-?}) agree=$agree held=$C_heldA/$C_heldB twoClients=$C_twoClients events=$((ev1 - ev0)) notCompleted=$((do_sent - ra_recv))"
  LAST_DROPS=$drops; LAST_ACHIEVED=$ach
}

# the strace durability check of a pair: each server's ACKs against its own lease file
fo_fsync_check() {
  local pair=$1 tr=$RES/fo-$1-strace s lf
  if ! fo_start_pair "$pair" "$tr"; then
    fo_stop_pair
    for s in a b; do printf '%s\n' "$pair	$s	unknown (start failed)	0	0	0	0	0	0	0" >> "$RES/failover-fsync.tsv"; done
    return 0
  fi
  timeout $((FSYNC_SECS + 20)) ip netns exec $NS_FCL \
    perfdhcp -4 -g single -l $IF_FCL -M "$WORK/macs.txt" -R "$CLIENTS" -s "$SEED" \
             -r "$FSYNC_RATE" -p "$FSYNC_SECS" -W 1000000 >"$RES/fo-$pair-strace-perfdhcp.txt" 2>&1 || true
  sleep 0.3
  fo_stop_pair
  for s in a b; do
    if [ $s = a ]; then lf=$FO_LF_A; else lf=$FO_LF_B; fi
    eval "$($LIB fsync "$tr-$s.txt" "$lf")"
    printf '%s\n' "$pair	$s	$F_verdict	$F_acks	$F_offers	$F_naks	$F_acks_lease_written_before	$F_acks_lease_synced_before	$F_lease_writes	$F_lease_syncs" >> "$RES/failover-fsync.tsv"
    log "  $pair server $s durability: $F_verdict (ACKs=$F_acks, lease written before ACK=$F_acks_lease_written_before, fsync'd before ACK=$F_acks_lease_synced_before)"
    gzip -f "$tr-$s.txt" 2>/dev/null || true
  done
}

# fo_bench_pair PAIR: the saturation probe (reported: overload behaviour), then the sustained rate: doubling
# from FAILOVER_START_RATE while steps pass (drops < DROP_MAX %), bisection between the last passing and the
# first failing rate (at most SEARCH_STEPS + SEARCH_EXTRA steps, until within SEARCH_PRECISION %), and the
# CONFIRM_SECS confirm run (the reported row; -20 % and again if it fails). The saturation probe does not
# bound the search as it does for single servers: an overloaded Kea HA pair completes far fewer DORAs than
# it sustains at a lower rate (its lease updates time out), so 0.9 x its saturation figure says nothing.
fo_bench_pair() {
  local pair=$1 lo=0 hi=0 r i
  log "=== $pair ($(fo_version "$pair"))"
  fo_step "$pair" sat "$FAILOVER_SAT_RATE" "$STEP_SECS" || true
  if [ "$LAST_STARTED" = 0 ]; then
    NOTE[$pair]="not measured: the pair did not reach its normal state"
    log "  $pair: ${NOTE[$pair]}"
    return 0
  fi
  r=$FAILOVER_START_RATE
  while :; do
    if try_rate "$pair" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; break; fi
    [ "$r" -ge "$FAILOVER_SAT_RATE" ] && break
    r=$((r * 2)); [ "$r" -gt "$FAILOVER_SAT_RATE" ] && r=$FAILOVER_SAT_RATE
  done
  i=0
  while [ "$lo" = 0 ] && [ $i -lt 4 ]; do
    r=$(round3 "$(calc "print $hi / 2")")
    if try_rate "$pair" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; fi
    i=$((i + 1))
  done
  if [ "$lo" = 0 ]; then
    NOTE[$pair]="not measured: no rate down to $hi/s passed"
    log "  $pair: ${NOTE[$pair]}"
    return 0
  fi
  i=0
  while [ "$hi" -gt 0 ] && [ $i -lt $((SEARCH_STEPS + SEARCH_EXTRA)) ] && calc "exit !($hi - $lo > $lo * $SEARCH_PRECISION / 100)"; do
    r=$(round3 "$(calc "print ($lo + $hi) / 2")")
    { [ "$r" = "$lo" ] || [ "$r" = "$hi" ]; } && break
    if try_rate "$pair" search "$r" "$STEP_SECS"; then lo=$r; else hi=$r; fi
    i=$((i + 1))
  done
  r=$lo
  for i in 0 1 2; do
    try_rate "$pair" confirm "$r" "$CONFIRM_SECS" && break
    r=$(round3 "$(calc "print $r * 0.8")")
  done
}

failover_phase() {
  local run='' p
  if [ -z "$KEA_HOOKS" ]; then
    p=$(ls /usr/lib/*/kea/hooks/libdhcp_ha.so /usr/lib/kea/hooks/libdhcp_ha.so /usr/local/lib/kea/hooks/libdhcp_ha.so 2>/dev/null | head -1 || true)
    [ -n "$p" ] && KEA_HOOKS=$(dirname "$p")
  fi
  for p in $FAILOVER_PAIRS; do
    if fo_installed "$p"; then run="$run $p"; else log "failover pair $p: not installed: skipped"; fi
  done
  [ -n "$run" ] || return 0
  printf 'pair\tphase\toffered\tsecs\tdo_sent\tdo_recv\tra_sent\tra_recv\tachieved\tdrops_pct\tdo_avg\tdo_max\tra_avg\tra_max\tra_orphans\tcpu_a\tcpu_b\tcpu_ca_a\tcpu_ca_b\tpd_cpu\tsys_busy\tother_cpu\thwm_a_kb\thwm_b_kb\tlag_ms\tlag_bound\tfirst_poll_ms\tdiffering_at_end\theld_a\theld_b\tonly_a\tonly_b\ttwo_clients\tmulti_a\tmulti_b\tagree\tevents\tsettled_ms\tdiffering_settled\tnot_completed\tload1\treport\n' > "$FO_STEPS"
  printf 'pair\tserver\tverdict\tacks\toffers\tnaks\tacks_lease_written_before\tacks_lease_synced_before\tlease_writes\tlease_syncs\n' > "$RES/failover-fsync.tsv"
  printf 'pair\tversion\tnote\n' > "$RES/failover-pairs.tsv"
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); shared with other work (see *other CPU s*)"
    echo "load average at the start of the phase: $(cut -d' ' -f1-3 /proc/loadavg)"
    for p in $run; do echo "$p: $(fo_version "$p")"; done
    echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1); clients: $CLIENTS MACs, seed $SEED; broadcast relay (giaddr $ADDR_FCL) to both servers of a pair"
    grep '^lease-file disk' "$RES/env.txt" 2>/dev/null || true
    echo "knobs: FAILOVER_SAT_RATE=$FAILOVER_SAT_RATE FAILOVER_START_RATE=$FAILOVER_START_RATE STEP_SECS=$STEP_SECS SEARCH_STEPS=$SEARCH_STEPS SEARCH_EXTRA=$SEARCH_EXTRA CONFIRM_SECS=$CONFIRM_SECS DROP_MAX=$DROP_MAX FAILOVER_LAG_TIMEOUT=$FAILOVER_LAG_TIMEOUT FAILOVER_LAG_STALL=$FAILOVER_LAG_STALL RETRY_FAILED=$RETRY_FAILED FAILOVER_RETRY_BUDGET=$FAILOVER_RETRY_BUDGET BENCH_QUICK=${BENCH_QUICK:-0}"
  } > "$RES/failover-env.txt"
  log "=== failover phase:$run"
  setup_fo_net
  local saved_fn=$STEP_FN saved_t0=$RETRY_T0 saved_budget=$RETRY_BUDGET
  STEP_FN=fo_step; RETRY_T0=$SECONDS; RETRY_BUDGET=$FAILOVER_RETRY_BUDGET
  for p in $run; do
    FO_PRIMED=
    case $p in
      leasehold-pair|dhcpd-pair)
        if ! fo_prime "$p"; then
          NOTE[$p]="not measured: the pair did not reach NORMAL from empty lease files"
          log "  $p: ${NOTE[$p]}"
          printf '%s\n' "$p	$(fo_version "$p")	${NOTE[$p]}" >> "$RES/failover-pairs.tsv"
          continue
        fi ;;
    esac
    fo_bench_pair "$p"
    if [ "$FAILOVER_FSYNC" = 1 ]; then
      if command -v strace >/dev/null; then fo_fsync_check "$p"
      else printf '%s\n' "$p	a	unknown (no strace)	0	0	0	0	0	0	0" >> "$RES/failover-fsync.tsv"; fi
    fi
    printf '%s\n' "$p	$(fo_version "$p")	${NOTE[$p]:-}" >> "$RES/failover-pairs.tsv"
  done
  STEP_FN=$saved_fn; RETRY_T0=$saved_t0; RETRY_BUDGET=$saved_budget
  teardown_net
}

# ------------------------------------------------------------------ main
T_START=$SECONDS
log "building (tsc)"
(cd "$REPO" && npx tsc -p . >/dev/null 2>&1) || log "tsc reported errors (npm run build shows them); using dist/ as built"
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK"
printf 'server\tphase\toffered\tsecs\tdo_sent\tdo_recv\tra_sent\tra_recv\tachieved\tdrops_pct\tdo_min\tdo_avg\tdo_max\tra_min\tra_avg\tra_max\tsrv_utime\tsrv_stime\tsrv_cpu\tpd_cpu\tsys_busy\tother_cpu\tleases\trss_kb\thwm_kb\tpd_rate\treport\n' > "$STEPS"
printf 'server\tverdict\tacks\toffers\tnaks\tacks_lease_written_before\tacks_lease_synced_before\tlease_writes\tlease_syncs\tio_uring_enter\n' > "$RES/fsync.tsv"
$LIB macs "$CLIENTS" "$SEED" "$WORK/macs.txt"

RUN=
for s in $SERVERS; do
  if installed "$s"; then RUN="$RUN $s"; else log "$s is not installed: skipped"; fi
done
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "perfdhcp: $(perfdhcp -v 2>&1 | head -1)"
  echo "servers:$RUN"
  echo "knobs: CLIENTS=$CLIENTS SAT_RATE=$SAT_RATE STEP_SECS=$STEP_SECS SEARCH_STEPS=$SEARCH_STEPS SEARCH_PRECISION=$SEARCH_PRECISION SEARCH_EXTRA=$SEARCH_EXTRA CONFIRM_SECS=$CONFIRM_SECS DROP_MAX=$DROP_MAX LAT_RATE=$LAT_RATE RETRY_FAILED=$RETRY_FAILED BENCH_QUICK=${BENCH_QUICK:-0}"
  if [ "$SYNC_SAMPLES" -gt 0 ]; then
    echo "lease-file disk ($(findmnt -n -o FSTYPE,SOURCE -T "$WORK" | head -1 | tr -s ' ' ' ')): $($LIB synctime "$WORK" "$SYNC_SAMPLES")"
  fi
} > "$RES/env.txt"
log "results -> $RES"
if [ "$RELAY_ONLY" = 1 ]; then RUN=; CLASSES_PHASE=0; FAILOVER_PHASE=0; DDNS_PHASE=0; log "RELAY_ONLY=1: the relay phase alone"; fi
if [ "$CLASSES_ONLY" = 1 ]; then RUN=; RELAY_PHASE=0; CLASSES_PHASE=1; FAILOVER_PHASE=0; DDNS_PHASE=0; log "CLASSES_ONLY=1: the classes phase alone"; fi
if [ "$FAILOVER_ONLY" = 1 ]; then RUN=; RELAY_PHASE=0; CLASSES_PHASE=0; FAILOVER_PHASE=1; DDNS_PHASE=0; log "FAILOVER_ONLY=1: the failover phase alone"; fi
if [ "$DDNS_ONLY" = 1 ]; then RUN=; RELAY_PHASE=0; CLASSES_PHASE=0; FAILOVER_PHASE=0; DDNS_PHASE=1; log "DDNS_ONLY=1: the DDNS phase alone"; fi
[ -z "$RUN" ] || setup_net
for s in $RUN; do bench_server "$s"; done
# 6. every server at half of Leasehold's highest sustained rate: the latency comparison at one offered rate
HALF_OF=${HALF_OF:-leasehold}
best=$(awk -F'\t' -v n="$HALF_OF" -v m="$DROP_MAX" '$1 == n && $2 == "confirm" && $10 + 0 < m { r = $3 } END { print r + 0 }' "$STEPS")
if [ "${HALF_SECS:-$CONFIRM_SECS}" -gt 0 ] && [ "$best" -gt 0 ]; then
  half=$(round3 "$(calc "print $best / 2")")
  log "=== latency at half of $HALF_OF's highest sustained rate: $half/s"
  for s in $RUN; do [ -n "${NOTE[$s]:-}" ] || run_step "$s" half "$half" "${HALF_SECS:-$CONFIRM_SECS}" || true; done
  if [ "$HALF_CONTROL" = 1 ] && [[ " $RUN " == *" leasehold "* ]] && [ -z "${NOTE[leasehold]:-}" ]; then
    if installed leasehold-nosync; then run_step leasehold-nosync half "$half" "${HALF_SECS:-$CONFIRM_SECS}" || true
    else log "no tmpfs at $TMPFS_DIR: the leasehold-nosync control is skipped"; fi
  fi
fi
teardown_net
T_MAIN=$SECONDS

# 7. the classes phase: the plain configuration against 50 classes and 200 subclasses
if [ "$CLASSES_PHASE" = 1 ]; then
  T_CLASSES=$SECONDS
  classes_phase
fi

# 7b. the DDNS phase (issue 17): the plain configuration against DDNS on, with BIND named in the server's namespace
if [ "$DDNS_PHASE" = 1 ]; then
  T_DDNS=$SECONDS
  ddns_phase
fi

# 8. the relay phase (issue 13): clients | relay | server, each relay in turn
if [ "$RELAY_PHASE" = 1 ]; then
  if command -v nft >/dev/null; then
    T_RELAY=$SECONDS
    relay_phase
    echo "wall time: $((SECONDS - T_RELAY)) s" >> "$RES/relay-env.txt"
  else
    log "relay phase skipped: nft (nftables) is needed to make perfdhcp's broadcasts client traffic"
  fi
fi

# 9. the failover phase: pairs of servers, perfdhcp broadcasting to both
if [ "$FAILOVER_PHASE" = 1 ]; then
  T_FAILOVER=$SECONDS
  failover_phase
  [ -s "$RES/failover-env.txt" ] && echo "wall time: $((SECONDS - T_FAILOVER)) s" >> "$RES/failover-env.txt"
fi

QUICK_NOTE=$( [ "${BENCH_QUICK:-0}" = 1 ] && echo 'QUICK smoke run, figures not comparable' || true)
if [ -n "$RUN" ]; then
  printf 'server\tversion\tdrop_max\tconfirm_secs\tnote\n' > "$RES/servers.tsv"
  for s in $RUN; do printf '%s\n' "$s	$(version_of "$s")	$DROP_MAX	$CONFIRM_SECS	${NOTE[$s]:-}" >> "$RES/servers.tsv"; done
  echo "wall time: $((T_MAIN - T_START)) s" >> "$RES/env.txt"
  $LIB summary "$RES" "$QUICK_NOTE"
fi
[ -s "$RES/relay.tsv" ] && $LIB relaysummary "$RES" "$DROP_MAX" "$QUICK_NOTE"
[ -s "$RES/classes.tsv" ] && $LIB classessummary "$RES" "$DROP_MAX" "$QUICK_NOTE"
[ -s "$RES/ddns.tsv" ] && $LIB ddnssummary "$RES" "$DROP_MAX" "$QUICK_NOTE"
[ -s "$RES/failover.tsv" ] && $LIB failoversummary "$RES" "$DROP_MAX" "$QUICK_NOTE"
log "details in $RES"
