#!/usr/bin/env bash
# One command sets up everything: as root, the Debian packages the tests use (the real ISC, Kea, dnsmasq,
# BIND and capture tools the end-to-end tests run against); then the npm packages and the build.
set -euo pipefail
cd "$(dirname "$0")"

DEBIAN_PACKAGES=(
  iproute2 iptables nftables procps man-db
  isc-dhcp-client isc-dhcp-server isc-dhcp-relay isc-dhcp-common
  udhcpc dhcpcd-base
  # kea-ctrl-agent: Kea 2.2's HA peers (libdhcp_ha, in kea-common) send their lease updates through it (bench failover phase)
  kea-dhcp4-server kea-admin kea-ctrl-agent
  dnsmasq
  bind9 bind9-dnsutils
  tshark python3-scapy strace
  # systemd: systemd-analyze, which checks contrib/systemd's unit (test/unit/contrib/systemd-unit.test.ts)
  systemd
  # chromium: the headless browser that drives the web dashboard (test/e2e/http/dashboard.test.ts)
  chromium
)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # Package scripts must not start the DHCP/DNS daemons we install as test peers: they would answer on the
  # machine's real interfaces. policy-rc.d exit 101 forbids every service start during the install.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  cleanup() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
  trap cleanup EXIT
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${DEBIAN_PACKAGES[@]}"
else
  echo "install.sh: not root (or no apt-get): skipping Debian packages; end-to-end tests will be skipped" >&2
fi

npm ci --no-audit --no-fund
npm run build:native
npm run build
