// Lease files ISC dhcpd 4.4.3-P1 (Debian 4.4.3-P1-2) wrote as failover partners, kept verbatim for
// the failover tests. Made in network namespaces: a primary (192.0.2.1) and a secondary
// (192.0.2.2) with `mclt 30; split 128;`, one pool `failover peer "fo"; range 192.0.2.100
// 192.0.2.115;`, 40-second leases; eight dhclient clients (02:00:00:00:00:01..08), two of them
// released, some left to expire, the secondary restarted once. ISC_PRIMARY / ISC_SECONDARY are the
// start-up rewrites (write_leases: the failover state, then each pool's queues in order - free,
// active, expired, abandoned, backup); ISC_104 and ISC_108 the primary's journal records of two
// addresses in the order it appended them.

export const ISC_CONF_PRIMARY = `authoritative;
default-lease-time 40;
max-lease-time 40;
failover peer "fo" {
  primary;
  address 192.0.2.1;
  port 647;
  peer address 192.0.2.2;
  peer port 647;
  max-response-delay 30;
  max-unacked-updates 10;
  mclt 30;
  split 128;
  load balance max seconds 3;
}
subnet 192.0.2.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 192.0.2.100 192.0.2.115;
  }
}
`;

export const ISC_CONF_SECONDARY = `authoritative;
default-lease-time 40;
max-lease-time 40;
failover peer "fo" {
  secondary;
  address 192.0.2.2;
  port 647;
  peer address 192.0.2.1;
  peer port 647;
  max-response-delay 30;
  max-unacked-updates 10;
  load balance max seconds 3;
}
subnet 192.0.2.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 192.0.2.100 192.0.2.115;
  }
}
`;

export const ISC_PRIMARY = `failover peer "fo" state {
  my state normal at 1 2026/12/07 22:44:06;
  partner state normal at 1 2026/12/07 22:44:06;
}
lease 192.0.2.109 {
  starts 1 2026/12/07 22:44:59;
  ends 1 2026/12/07 22:45:39;
  tstp 1 2026/12/07 22:45:39;
  tsfp 1 2026/12/07 22:45:59;
  atsfp 1 2026/12/07 22:45:59;
  cltt 1 2026/12/07 22:45:02;
  binding state free;
  hardware ethernet 02:00:00:00:00:05;
}
lease 192.0.2.103 {
  starts 1 2026/12/07 22:46:03;
  ends 1 2026/12/07 22:46:33;
  tstp 1 2026/12/07 22:45:31;
  tsfp 1 2026/12/07 22:46:58;
  atsfp 1 2026/12/07 22:46:58;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:01;
}
lease 192.0.2.111 {
  starts 1 2026/12/07 22:46:04;
  ends 1 2026/12/07 22:46:34;
  tstp 1 2026/12/07 22:46:59;
  tsfp 1 2026/12/07 22:46:59;
  atsfp 1 2026/12/07 22:46:59;
  cltt 1 2026/12/07 22:46:04;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:07;
  client-hostname "vm";
}
lease 192.0.2.112 {
  starts 1 2026/12/07 22:46:05;
  ends 1 2026/12/07 22:46:35;
  tstp 1 2026/12/07 22:47:00;
  tsfp 1 2026/12/07 22:47:00;
  atsfp 1 2026/12/07 22:47:00;
  cltt 1 2026/12/07 22:46:05;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:08;
  client-hostname "vm";
}
lease 192.0.2.106 {
  starts 1 2026/12/07 22:46:01;
  ends 1 2026/12/07 22:46:41;
  tstp 1 2026/12/07 22:47:01;
  tsfp 1 2026/12/07 22:47:01;
  atsfp 1 2026/12/07 22:47:01;
  cltt 1 2026/12/07 22:46:01;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:03;
  client-hostname "vm";
}
lease 192.0.2.102 {
  starts 1 2026/12/07 22:45:41;
  ends 1 2026/12/07 22:46:11;
  tstp 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:46:36;
  binding state expired;
  next binding state free;
  rewind binding state active;
  hardware ethernet 02:00:00:00:00:04;
}
lease 192.0.2.110 {
  starts 1 2026/12/07 22:45:41;
  ends 1 2026/12/07 22:46:11;
  tstp 1 2026/12/07 22:46:36;
  tsfp 1 2026/12/07 22:46:36;
  cltt 1 2026/12/07 22:45:41;
  binding state expired;
  next binding state free;
  rewind binding state active;
  hardware ethernet 02:00:00:00:00:05;
  client-hostname "vm";
}
lease 192.0.2.108 {
  starts 1 2026/12/07 22:45:32;
  ends 1 2026/12/07 22:46:12;
  tstp 1 2026/12/07 22:46:32;
  tsfp 1 2026/12/07 22:46:32;
  cltt 1 2026/12/07 22:45:32;
  binding state expired;
  next binding state free;
  rewind binding state active;
  hardware ethernet 02:00:00:00:00:02;
  client-hostname "vm";
}
lease 192.0.2.100 {
  starts 1 2026/12/07 22:44:06;
  tstp 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:44:06;
  atsfp 1 2026/12/07 22:44:06;
  binding state backup;
}
lease 192.0.2.101 {
  starts 1 2026/12/07 22:44:06;
  tstp 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:44:06;
  atsfp 1 2026/12/07 22:44:06;
  binding state backup;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:45:04;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:45:04;
  tsfp 1 2026/12/07 22:45:04;
  atsfp 1 2026/12/07 22:45:04;
  binding state backup;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.105 {
  starts 1 2026/12/07 22:45:41;
  ends 1 2026/12/07 22:45:39;
  tstp 1 2026/12/07 22:45:41;
  tsfp 1 2026/12/07 22:45:41;
  atsfp 1 2026/12/07 22:45:41;
  cltt 1 2026/12/07 22:45:01;
  binding state backup;
  hardware ethernet 02:00:00:00:00:04;
}
lease 192.0.2.107 {
  starts 1 2026/12/07 22:46:03;
  ends 1 2026/12/07 22:46:01;
  tstp 1 2026/12/07 22:46:03;
  tsfp 1 2026/12/07 22:46:03;
  atsfp 1 2026/12/07 22:46:03;
  binding state backup;
  hardware ethernet 02:00:00:00:00:01;
}
`;

export const ISC_SECONDARY = `failover peer "fo" state {
  my state communications-interrupted at 1 2026/12/07 22:46:10;
  partner state normal at 1 2026/12/07 22:44:06;
  mclt 30;
}
lease 192.0.2.109 {
  starts 1 2026/12/07 22:44:59;
  ends 1 2026/12/07 22:45:39;
  tstp 1 2026/12/07 22:45:39;
  tsfp 1 2026/12/07 22:45:59;
  atsfp 1 2026/12/07 22:45:59;
  cltt 1 2026/12/07 22:45:02;
  binding state free;
  hardware ethernet 02:00:00:00:00:05;
}
lease 192.0.2.103 {
  starts 1 2026/12/07 22:46:03;
  ends 1 2026/12/07 22:46:33;
  tstp 1 2026/12/07 22:46:58;
  tsfp 1 2026/12/07 22:46:58;
  atsfp 1 2026/12/07 22:46:58;
  cltt 1 2026/12/07 22:46:03;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:01;
  client-hostname "vm";
}
lease 192.0.2.111 {
  starts 1 2026/12/07 22:46:04;
  ends 1 2026/12/07 22:46:34;
  tstp 1 2026/12/07 22:46:34;
  tsfp 1 2026/12/07 22:46:59;
  atsfp 1 2026/12/07 22:46:59;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:07;
}
lease 192.0.2.112 {
  starts 1 2026/12/07 22:46:05;
  ends 1 2026/12/07 22:46:35;
  tstp 1 2026/12/07 22:46:35;
  tsfp 1 2026/12/07 22:47:00;
  atsfp 1 2026/12/07 22:47:00;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:08;
}
lease 192.0.2.106 {
  starts 1 2026/12/07 22:46:01;
  ends 1 2026/12/07 22:46:41;
  tstp 1 2026/12/07 22:47:01;
  tsfp 1 2026/12/07 22:47:01;
  atsfp 1 2026/12/07 22:47:01;
  cltt 1 2026/12/07 22:46:01;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:03;
  client-hostname "vm";
}
lease 192.0.2.110 {
  starts 1 2026/12/07 22:46:11;
  ends 1 2026/12/07 22:46:51;
  tstp 1 2026/12/07 22:47:11;
  tsfp 1 2026/12/07 22:46:36;
  cltt 1 2026/12/07 22:46:11;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:05;
  client-hostname "vm";
}
lease 192.0.2.102 {
  starts 1 2026/12/07 22:45:41;
  ends 1 2026/12/07 22:46:11;
  tstp 1 2026/12/07 22:46:36;
  tsfp 1 2026/12/07 22:46:36;
  cltt 1 2026/12/07 22:45:41;
  binding state expired;
  next binding state free;
  rewind binding state active;
  hardware ethernet 02:00:00:00:00:04;
  client-hostname "vm";
}
lease 192.0.2.108 {
  starts 1 2026/12/07 22:45:32;
  ends 1 2026/12/07 22:46:12;
  tstp 1 2026/12/07 22:46:32;
  tsfp 1 2026/12/07 22:46:32;
  cltt 1 2026/12/07 22:45:32;
  binding state expired;
  next binding state free;
  rewind binding state active;
  hardware ethernet 02:00:00:00:00:02;
  client-hostname "vm";
}
lease 192.0.2.100 {
  starts 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:44:06;
  atsfp 1 2026/12/07 22:44:06;
  binding state backup;
}
lease 192.0.2.101 {
  starts 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:44:06;
  atsfp 1 2026/12/07 22:44:06;
  binding state backup;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:45:04;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:45:02;
  tsfp 1 2026/12/07 22:45:04;
  atsfp 1 2026/12/07 22:45:04;
  cltt 1 2026/12/07 22:44:32;
  binding state backup;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.105 {
  starts 1 2026/12/07 22:45:41;
  ends 1 2026/12/07 22:45:39;
  tstp 1 2026/12/07 22:45:39;
  tsfp 1 2026/12/07 22:45:41;
  atsfp 1 2026/12/07 22:45:41;
  cltt 1 2026/12/07 22:45:01;
  binding state backup;
  hardware ethernet 02:00:00:00:00:04;
}
lease 192.0.2.107 {
  starts 1 2026/12/07 22:46:03;
  ends 1 2026/12/07 22:46:01;
  tstp 1 2026/12/07 22:46:01;
  tsfp 1 2026/12/07 22:46:03;
  atsfp 1 2026/12/07 22:46:03;
  cltt 1 2026/12/07 22:45:31;
  binding state backup;
  hardware ethernet 02:00:00:00:00:01;
}
`;

export const ISC_104 = `lease 192.0.2.104 {
  binding state free;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:44:06;
  tstp 1 2026/12/07 22:44:06;
  binding state backup;
  rewind binding state free;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:44:06;
  tstp 1 2026/12/07 22:44:06;
  binding state backup;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:44:06;
  tstp 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:44:06;
  atsfp 1 2026/12/07 22:44:06;
  binding state backup;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:44:32;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:45:27;
  atsfp 1 2026/12/07 22:45:27;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:44:32;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:44:06;
  tsfp 1 2026/12/07 22:45:27;
  binding state expired;
  next binding state free;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:44:32;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:45:02;
  tsfp 1 2026/12/07 22:44:06;
  atsfp 1 2026/12/07 22:44:06;
  binding state free;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:45:04;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:45:04;
  tsfp 1 2026/12/07 22:44:06;
  binding state backup;
  rewind binding state free;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:45:04;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:45:04;
  tsfp 1 2026/12/07 22:44:06;
  binding state backup;
  hardware ethernet 02:00:00:00:00:06;
}
lease 192.0.2.104 {
  starts 1 2026/12/07 22:45:04;
  ends 1 2026/12/07 22:45:02;
  tstp 1 2026/12/07 22:45:04;
  tsfp 1 2026/12/07 22:45:04;
  atsfp 1 2026/12/07 22:45:04;
  binding state backup;
  hardware ethernet 02:00:00:00:00:06;
}
`;

export const ISC_108 = `lease 192.0.2.108 {
  binding state free;
}
lease 192.0.2.108 {
  starts 1 2026/12/07 22:44:28;
  ends 1 2026/12/07 22:44:58;
  tstp 1 2026/12/07 22:45:23;
  cltt 1 2026/12/07 22:44:28;
  binding state active;
  next binding state expired;
  rewind binding state free;
  hardware ethernet 02:00:00:00:00:02;
  client-hostname "vm";
}
lease 192.0.2.108 {
  starts 1 2026/12/07 22:44:28;
  ends 1 2026/12/07 22:44:58;
  tstp 1 2026/12/07 22:45:23;
  cltt 1 2026/12/07 22:44:28;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:02;
  client-hostname "vm";
}
lease 192.0.2.108 {
  starts 1 2026/12/07 22:44:28;
  ends 1 2026/12/07 22:44:58;
  tstp 1 2026/12/07 22:45:23;
  tsfp 1 2026/12/07 22:45:23;
  atsfp 1 2026/12/07 22:45:23;
  cltt 1 2026/12/07 22:44:28;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:02;
  client-hostname "vm";
}
lease 192.0.2.108 {
  starts 1 2026/12/07 22:44:55;
  ends 1 2026/12/07 22:45:35;
  tstp 1 2026/12/07 22:45:55;
  tsfp 1 2026/12/07 22:45:23;
  cltt 1 2026/12/07 22:44:55;
  binding state active;
  next binding state expired;
  hardware ethernet 02:00:00:00:00:02;
  client-hostname "vm";
}
`;
