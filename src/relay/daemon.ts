// `leasehold relay`'s I/O shell: the transport of src/io delivers packets, the engine (engine.ts) decides,
// this file sends and logs. Requests go to each server through the transport's UDP side (the kernel
// routes them, as ISC's fallback socket does); replies leave through the packet socket of the interface
// giaddr belongs to, framed to chaddr or broadcast (src/io/raw-frames.ts), or over UDP where packet sockets
// are not permitted (broadcast only). Log lines are dhcrelay's; the counters are logged at shutdown.

import type { Destination, ReceivedPacket, ServedInterface, Transport } from '../io/transport.js';
import { type DropCounter, DropCounter as Drops, type Logger } from '../server/daemon-log.js';
import { BOOTREPLY } from '../wire/constants.js';
import { ipToString, macToString } from '../wire/ip.js';
import { type AgentIds, circuitIdOf, emptyAgentIds, remoteIdOf } from './agent-ids.js';
import { type RelayInterface, type RelayResult, type RelaySettings, relay } from './engine.js';

/** Which directions an interface serves (-i both, -iu upstream, -id downstream; none named: both). */
export type Roles = (name: string) => { upstream: boolean; downstream: boolean };

export interface RelayCounters {
  /** ISC client_packets_relayed / server_packets_relayed: requests sent to a server, replies sent to a client. */
  requestsRelayed: number;
  repliesRelayed: number;
  /** Sends that failed, toward servers and toward clients. */
  serverSendErrors: number;
  clientSendErrors: number;
  /** Not dropped, counted (ISC's missing_agent_option, agent_option_errors, ...). */
  noted: Map<string, number>;
}

export class RelayDaemon {
  readonly counters: RelayCounters = {
    requestsRelayed: 0,
    repliesRelayed: 0,
    serverSendErrors: 0,
    clientSendErrors: 0,
    noted: new Map(),
  };
  readonly drops: DropCounter;
  private transport: Transport | undefined;
  // The engine's view of the transport's interfaces, rebuilt when the transport's list changes. The
  // transports replace a record (and its address list) when an interface changes, never edit one in
  // place, so comparing the records and address lists by identity tells a change without building
  // anything per packet.
  private seenRecords: readonly ServedInterface[] = [];
  private seenAddresses: (readonly number[])[] = [];
  private cached: RelayInterface[] = [];
  private readonly ours = new Map<ServedInterface, RelayInterface>();
  private readonly served = new Map<RelayInterface, ServedInterface>();
  /** Per server: where its requests go, and its address as the log shows it. */
  private readonly toServers = new Map<number, { to: Destination; shown: string }>();

  constructor(
    private readonly settings: RelaySettings,
    private readonly roles: Roles,
    private readonly log: Logger,
    private readonly agentIds: AgentIds = emptyAgentIds(),
  ) {
    this.drops = new Drops(log);
    for (const address of settings.servers) {
      this.toServers.set(address, { to: { kind: 'relay', address }, shown: ipToString(address) });
    }
  }

  start(transport: Transport): void {
    this.transport = transport;
  }

  private unchanged(served: readonly ServedInterface[]): boolean {
    if (served.length !== this.seenRecords.length) return false;
    for (let k = 0; k < served.length; k++) {
      const i = served[k]!;
      if (i !== this.seenRecords[k] || i.addresses !== this.seenAddresses[k]) return false;
    }
    return true;
  }

  /** The relay's interfaces as the engine sees them (rebuilt when the transport's set changes). */
  private interfaces(): RelayInterface[] {
    const served = this.transport?.interfaces ?? [];
    if (this.unchanged(served)) return this.cached;
    this.seenRecords = [...served];
    this.seenAddresses = served.map((i) => i.addresses);
    this.ours.clear();
    this.served.clear();
    this.cached = served.map((i) => {
      const remoteId = remoteIdOf(this.agentIds, i.name);
      const mine: RelayInterface = {
        name: i.name,
        addresses: i.addresses,
        masks: i.masks,
        ...this.roles(i.name),
        circuitId: circuitIdOf(this.agentIds, i.name),
        ...(remoteId !== undefined ? { remoteId } : {}),
      };
      this.ours.set(i, mine);
      this.served.set(mine, i);
      return mine;
    });
    return this.cached;
  }

  readonly onPacket = (packet: ReceivedPacket): void => {
    const transport = this.transport;
    if (transport === undefined) return;
    const interfaces = this.interfaces();
    // UDP sockets receive a server's reply on the socket of giaddr's interface (downstream), not the one it
    // came in on: its direction cannot be checked there.
    const isReply = packet.payload[0] === BOOTREPLY;
    const got = packet.iface;
    const iface =
      (transport.kind === 'udp' && isReply) || got === undefined
        ? undefined
        : (this.ours.get(got) ?? interfaces.find((i) => i.name === got.name));
    const destination = 'destinationAddress' in packet ? (packet.destinationAddress as number) : undefined;
    const res = relay(
      { payload: packet.payload, iface, ...(destination !== undefined ? { destination } : {}) },
      interfaces,
      this.settings,
    );
    this.carryOut(res, transport);
  };

  private carryOut(res: RelayResult, transport: Transport): void {
    for (const line of res.log) this.log.error(line);
    for (const c of res.counts) this.counters.noted.set(c, (this.counters.noted.get(c) ?? 0) + 1);
    const d = res.decision;
    switch (d.kind) {
      case 'drop':
        this.drops.drop(d.cause, d.detail);
        return;
      case 'ignore':
        return;
      case 'servers':
        for (const server of d.servers) {
          const s = this.toServers.get(server) ?? { to: { kind: 'relay', address: server }, shown: ipToString(server) };
          const sent = () => {
            this.counters.requestsRelayed++;
            this.log.info(`Forwarded BOOTREQUEST for ${macToString(d.chaddr)} to ${s.shown}`);
          };
          const failed = (e: unknown) => {
            this.counters.serverSendErrors++;
            this.log.error(`Can't forward BOOTREQUEST to ${s.shown}: ${errText(e)}`);
          };
          this.send(transport, d.payload, s.to, undefined, sent, failed);
        }
        return;
      case 'client': {
        const served = this.served.get(d.iface) ?? transport.interfaces.find((i) => i.name === d.iface.name);
        const shown = d.to.kind === 'link' ? ipToString(d.to.address) : '255.255.255.255';
        this.send(
          transport,
          d.payload,
          d.to,
          served,
          () => {
            this.counters.repliesRelayed++;
            this.log.info(`Forwarded BOOTREPLY for ${macToString(d.chaddr)} to ${shown}`);
          },
          (e: unknown) => {
            this.counters.clientSendErrors++;
            this.log.error(`Can't forward BOOTREPLY to ${shown} on ${d.iface.name}: ${errText(e)}`);
          },
        );
        return;
      }
    }
  }

  /**
   * Sends, then calls `sent` or `failed`: at once where the transport sends synchronously (the raw
   * transport: no promise per packet), else when its promise settles.
   */
  private send(
    transport: Transport,
    payload: Uint8Array,
    to: Destination,
    iface: ServedInterface | undefined,
    sent: () => void,
    failed: (e: unknown) => void,
  ): void {
    if (transport.sendNow === undefined) {
      transport.send(payload, to, iface).then(sent, failed);
      return;
    }
    try {
      transport.sendNow(payload, to, iface);
    } catch (e) {
      failed(e);
      return;
    }
    sent();
  }

  /** The counters, as lines for the log at shutdown. */
  statistics(): string[] {
    const c = this.counters;
    const lines = [
      `Relayed ${c.requestsRelayed} requests to servers and ${c.repliesRelayed} replies to clients; send errors: ${c.serverSendErrors} to servers, ${c.clientSendErrors} to clients.`,
    ];
    const drops = [...this.dropCauses()].map(([cause, n]) => `${cause} ${n}`);
    lines.push(`Dropped ${this.drops.total()} packets${drops.length > 0 ? `: ${drops.join(', ')}` : ''}.`);
    if (c.noted.size > 0) {
      lines.push(`Counted: ${[...c.noted].map(([cause, n]) => `${cause} ${n}`).join(', ')}.`);
    }
    return lines;
  }

  private *dropCauses(): Generator<[string, number]> {
    for (const cause of DROP_CAUSES) {
      const n = this.drops.count(cause);
      if (n > 0) yield [cause, n];
    }
  }

  async stop(): Promise<void> {
    const t = this.transport;
    this.transport = undefined;
    await t?.close();
  }
}

const DROP_CAUSES = [
  'bad-packet',
  'bad-hlen',
  'no-address',
  'unknown-interface',
  'reply-not-upstream',
  'request-not-downstream',
  'hop-limit',
  'agent-option-present',
  'option-overrun',
  'bogus-giaddr',
  'no-uplink-address',
  'corrupt-agent-option',
  'missing-circuit-id',
  'bad-circuit-id',
  'missing-agent-option',
] as const;

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
