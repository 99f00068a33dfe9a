// Identity of lease-file records: a later record with the same key replaces an earlier one.

import type { LeaseFileRecord } from './lease.js';
import { colonHex } from './text.js';

export function recordKey(rec: LeaseFileRecord): string {
  switch (rec.kind) {
    case 'lease':
      return `lease ${rec.address}`;
    case 'host':
    case 'group':
    case 'class':
      return `${rec.kind} ${rec.name}`;
    case 'subclass':
      return `subclass ${rec.name} ${colonHex(rec.selector ?? new Uint8Array(0))}`;
    case 'failover-state':
      return `failover ${rec.peer}`;
    case 'server-duid':
    case 'authoring-byte-order':
      return rec.kind;
    case 'ia-na':
    case 'ia-ta':
    case 'ia-pd':
      return `${rec.kind} ${colonHex(rec.iaidDuid)}`;
  }
}
