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
  for ns in $NS_SRV $NS_CLI $NS_RLY $NS_RCL; do
    ns_kill_pids "$ns"
    ns_exists "$ns" && ip netns del "$ns" 2>/dev/null || true
  done
}
cleanup() {
  local p
  for p in $RLY_PID $RLY_LAUNCHER $SRV_PID $LAUNCHER_PID; do kill -TERM "$p" 2>/dev/null || true; done
  teardown_net
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
    leasehold-nosync) [ -f "$REPO/dist/src/cli/main.js" ] && [ "$(stat -f -c %T "$TMPFS_DIR" 2>/dev/null)" = tmpfs ] ;;
    kea|kea-mt) command -v kea-dhcp4 >/dev/null ;;
    dhcpd) command -v dhcpd >/dev/null ;;
    dnsmasq) command -v dnsmasq >/dev/null ;;
    *) return 1 ;;
  esac
}
version_of() {
  case $1 in
    leasehold|leasehold-udp|leasehold-nosync|leasehold-classes) echo "Leasehold $(node -p "require('$REPO/package.json').version") ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+changes'), node $(node -v))$([ "$1" = leasehold-udp ] && echo ', UDP sockets')$([ "$1" = leasehold-nosync ] && echo ', lease file on tmpfs: NOT durable (control)')$([ "$1" = leasehold-classes ] && echo ', configs/dhcpd-classes.conf: 50 classes, 200 subclasses')" ;;
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
    leasehold|leasehold-udp|leasehold-nosync|leasehold-classes)
      local lf=$w/dhcpd.leases conf=$CONF_DIR/dhcpd.conf
      [ "$name" = leasehold-classes ] && conf=$CONF_DIR/dhcpd-classes.conf
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

# start_server NAME WORKDIR [strace-output]: 0 when it runs and has bound UDP port 67
start_server() {
  local name=$1 w=$2 trace=${3:-}
  prepare_server "$name" "$w"
  echo "$SRV_CMD" > "$w/cmdline"
  local pidf=$w/.server.pid
  if [ -n "$trace" ]; then
    ip netns exec $NS_SRV env UV_USE_IO_URING=0 strace -f -qq -tt -y -xx -s 16384 \
      -e trace=openat,open,creat,write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,fsync,fdatasync,sync_file_range,syncfs,msync,io_uring_enter \
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

# try_rate NAME PHASE RATE SECS: a failing step is repeated once (drops come in bursts here)
try_rate() {
  run_step "$@" || true
  passes "$LAST_DROPS" && return 0
  if [ "$RETRY_FAILED" = 1 ] && [ "$LAST_STARTED" = 1 ] && [ $((SECONDS - T_START)) -lt "$RETRY_BUDGET" ]; then
    log "  $1: ${LAST_DROPS}% drops at $3/s, repeating this step once"
    run_step "$@" || true
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
if [ "$RELAY_ONLY" = 1 ]; then RUN=; CLASSES_PHASE=0; log "RELAY_ONLY=1: the relay phase alone"; fi
if [ "$CLASSES_ONLY" = 1 ]; then RUN=; RELAY_PHASE=0; CLASSES_PHASE=1; log "CLASSES_ONLY=1: the classes phase alone"; fi
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

QUICK_NOTE=$( [ "${BENCH_QUICK:-0}" = 1 ] && echo 'QUICK smoke run, figures not comparable' || true)
if [ -n "$RUN" ]; then
  printf 'server\tversion\tdrop_max\tconfirm_secs\tnote\n' > "$RES/servers.tsv"
  for s in $RUN; do printf '%s\n' "$s	$(version_of "$s")	$DROP_MAX	$CONFIRM_SECS	${NOTE[$s]:-}" >> "$RES/servers.tsv"; done
  echo "wall time: $((T_MAIN - T_START)) s" >> "$RES/env.txt"
  $LIB summary "$RES" "$QUICK_NOTE"
fi
[ -s "$RES/relay.tsv" ] && $LIB relaysummary "$RES" "$DROP_MAX" "$QUICK_NOTE"
[ -s "$RES/classes.tsv" ] && $LIB classessummary "$RES" "$DROP_MAX" "$QUICK_NOTE"
log "details in $RES"
