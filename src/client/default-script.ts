// The built-in dhclient-script, used when no -sf or `script` names one and /sbin/dhclient-script is absent.
// It follows dhclient-script(8) with iproute2, like Debian's script but smaller: PREINIT brings the link up;
// BOUND/RENEW/REBIND/REBOOT/TIMEOUT set the address (with the lease as its lifetime), the default routes and
// resolv.conf; EXPIRE/FAIL/RELEASE/STOP remove the address. Every `ip` command acts on the network namespace
// the client runs in. resolv.conf is rewritten in place (`cat >`), which also works when it is a bind mount
// (`ip netns exec`, containers). The exit hooks of dhclient-script(8) run as in ISC's scripts:
// /etc/dhcp/dhclient-exit-hooks and /etc/dhcp/dhclient-exit-hooks.d/* (sourced, with $exit_status).
// Set RESOLV_CONF (dhclient -e RESOLV_CONF=...) to write another file.
export const DEFAULT_SCRIPT = `
resolv_conf=\${RESOLV_CONF:-/etc/resolv.conf}

run_exit_hooks() {
  exit_status=$1
  if [ -f /etc/dhcp/dhclient-exit-hooks ]; then . /etc/dhcp/dhclient-exit-hooks; fi
  if [ -d /etc/dhcp/dhclient-exit-hooks.d ]; then
    for h in /etc/dhcp/dhclient-exit-hooks.d/*; do
      if [ -f "$h" ]; then . "$h"; fi
    done
  fi
  exit "$exit_status"
}

prefix_of() {
  # 255.255.255.0 -> 24
  n=0
  for octet in $(echo "$1" | tr . ' '); do
    case $octet in
      255) n=$((n + 8)) ;; 254) n=$((n + 7)) ;; 252) n=$((n + 6)) ;; 248) n=$((n + 5)) ;;
      240) n=$((n + 4)) ;; 224) n=$((n + 3)) ;; 192) n=$((n + 2)) ;; 128) n=$((n + 1)) ;;
    esac
  done
  echo "$n"
}

set_address() {
  plen=32
  if [ -n "$new_subnet_mask" ]; then plen=$(prefix_of "$new_subnet_mask"); fi
  lft=""
  if [ -n "$new_dhcp_lease_time" ]; then lft="valid_lft $new_dhcp_lease_time preferred_lft $new_dhcp_lease_time"; fi
  ip -4 addr replace "$new_ip_address/$plen" \${new_broadcast_address:+broadcast $new_broadcast_address} $lft dev "$interface" || return 1
  if [ -n "$new_interface_mtu" ] && [ "$new_interface_mtu" -gt 576 ]; then
    ip link set dev "$interface" mtu "$new_interface_mtu"
  fi
  metric=0
  for router in $new_routers; do
    if [ "$new_subnet_mask" = "255.255.255.255" ]; then ip -4 route replace "$router" dev "$interface"; fi
    ip -4 route replace default via "$router" dev "$interface" metric "$metric" || true
    metric=$((metric + 1))
  done
  return 0
}

set_resolv_conf() {
  if [ -z "$new_domain_name_servers" ] && [ -z "$new_domain_name" ] && [ -z "$new_domain_search" ]; then return 0; fi
  {
    if [ -n "$new_domain_search" ]; then echo "search $new_domain_search"
    elif [ -n "$new_domain_name" ]; then echo "search \${new_domain_name%% *}"; fi
    for ns in $new_domain_name_servers; do echo "nameserver $ns"; done
  } > "$resolv_conf.leasehold.$$" && cat "$resolv_conf.leasehold.$$" > "$resolv_conf"
  rm -f "$resolv_conf.leasehold.$$"
}

case "$reason" in
  PREINIT)
    ip link set dev "$interface" up
    ;;
  BOUND|RENEW|REBIND|REBOOT|TIMEOUT)
    if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
      ip -4 addr flush dev "$interface" to "$old_ip_address/32"
    fi
    set_address || run_exit_hooks 1
    set_resolv_conf
    ;;
  EXPIRE|FAIL|RELEASE|STOP)
    if [ -n "$old_ip_address" ]; then
      ip -4 addr flush dev "$interface" to "$old_ip_address/32"
    fi
    ;;
esac
run_exit_hooks 0
`;
