// The OpenAPI 3 document of the API, served at /api/v1/openapi.json. Written by hand, beside the routes
// (routes-*.ts); a unit test checks that every route the server registers is described here and the reverse.

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });

const ERRORS = {
  '401': error('No token, or an unknown one (only with --http-tokens).'),
  '403': error('A read token asked for a change.'),
};

const PAGING = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    description: 'Items per page.',
  },
  {
    name: 'cursor',
    in: 'query',
    schema: { type: 'string' },
    description: "The previous answer's `next`; give the same filters again.",
  },
];

const query = (name: string, description: string) => ({ name, in: 'query', schema: { type: 'string' }, description });
const path = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description,
});

const page = (item: string) => ({
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: ref(item) },
    next: nullable('string', { description: 'Cursor of the next page; null when this one is the last.' }),
  },
});

const SCHEMAS = {
  Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
  Lease: {
    type: 'object',
    required: ['ip', 'state', 'hardware', 'clientId', 'hostname', 'starts', 'ends', 'pool'],
    properties: {
      ip: { type: 'string', format: 'ipv4' },
      state: { type: 'string', enum: ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'] },
      hardware: nullable('string', { description: 'Colon hex; "TYPE hex" when not ethernet.' }),
      clientId: nullable('string', { description: 'Client identifier, colon hex.' }),
      hostname: nullable('string'),
      starts: nullable('string', { format: 'date-time' }),
      ends: nullable('string', { format: 'date-time', description: 'null for none and for "never".' }),
      cltt: nullable('string', { format: 'date-time', description: "The client's last transaction." }),
      pool: nullable('string', { description: "The pool's name, as GET /pools gives it." }),
    },
  },
  Host: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Given by the server when a new host has none.' },
      hardware: nullable('string', { description: 'aa:bb:cc:dd:ee:ff, or "token-ring aa:bb:..."' }),
      fixedAddress: nullable('string', { format: 'ipv4' }),
      clientId: nullable('string', { description: 'Colon hex of two octets or more; other text is taken as it is.' }),
      options: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description:
          'Option name (space.name outside the dhcp space) -> value: text options take the text, others the ' +
          'value as dhcpd.conf writes it ("192.0.2.1, 192.0.2.2").',
      },
      dynamic: { type: 'boolean', readOnly: true, description: 'false for a host of dhcpd.conf (read only).' },
    },
  },
  Pool: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Its first range.' },
      network: { type: 'string' },
      ranges: { type: 'array', items: { type: 'string' } },
      failoverPeer: nullable('string'),
      total: { type: 'integer' },
      free: { type: 'integer' },
      backup: { type: 'integer' },
      active: { type: 'integer' },
      abandoned: { type: 'integer' },
      utilization: { type: 'number', description: 'active / total' },
    },
  },
  Failover: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      role: { type: 'string', enum: ['primary', 'secondary'] },
      localState: { type: 'string' },
      partnerState: { type: 'string' },
      mclt: { type: 'integer' },
      localAddress: nullable('string'),
      localPort: { type: 'integer' },
      partnerAddress: { type: 'string' },
      partnerPort: { type: 'integer' },
      unackedUpdates: { type: 'integer' },
    },
  },
  ConfigResult: {
    type: 'object',
    required: ['ok', 'errors', 'notes'],
    properties: {
      ok: { type: 'boolean' },
      errors: { type: 'array', items: { type: 'string' }, description: 'As `leasehold server -t` prints them.' },
      notes: { type: 'array', items: { type: 'string' }, description: 'Warnings; statements needing a restart.' },
    },
  },
  HistoryEntry: {
    type: 'object',
    properties: {
      at: { type: 'string', format: 'date-time' },
      ip: { type: 'string' },
      state: { type: 'string' },
      hardware: nullable('string'),
      clientId: nullable('string'),
      hostname: nullable('string'),
      starts: nullable('string', { format: 'date-time' }),
      ends: nullable('string', { format: 'date-time' }),
    },
  },
  Stats: { type: 'object', description: "The daemon's counters, drops by cause, packets by message type." },
};

const ok = (description: string, schema: object) => ({ description, content: json(schema) });

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Leasehold DHCP server API',
    version: '1',
    description:
      'Leases, hosts, pools and configuration of a running `leasehold server`. With --http-tokens every request ' +
      'needs `Authorization: Bearer TOKEN`; a read token may only GET. Errors are `{"error": message}`.',
  },
  servers: [{ url: '/api/v1' }],
  components: {
    schemas: SCHEMAS,
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  },
  security: [{ bearer: [] }, {}],
  paths: {
    '/leases': {
      get: {
        summary: 'Leases (addresses that have had one), in address order, a page at a time.',
        parameters: [
          query(
            'state',
            'Binding states, comma-separated (free, active, expired, released, abandoned, reset, backup).',
          ),
          query('pool', "A pool's name, or a network's."),
          query('mac', 'Hardware address.'),
          query('hostname', "Part of the client's host name, any case."),
          query('ip', 'Address prefix: 192.0.2.1 (as text) or 192.0.2.0/25.'),
          ...PAGING,
        ],
        responses: { '200': ok('A page.', page('Lease')), '400': error('A bad filter or cursor.'), ...ERRORS },
      },
    },
    '/leases/{ip}': {
      parameters: [path('ip', 'An address of a pool.')],
      get: {
        summary: 'The lease of an address (free when it never had one).',
        responses: {
          '200': ok('The lease.', ref('Lease')),
          '400': error('Not an address.'),
          '404': error('No pool holds it.'),
          ...ERRORS,
        },
      },
      delete: {
        summary: "Frees the lease as a client's RELEASE does; in the lease file before the answer.",
        responses: {
          '200': ok('The lease, now free.', ref('Lease')),
          '400': error('Not an address.'),
          '404': error('No pool holds it.'),
          ...ERRORS,
        },
      },
    },
    '/hosts': {
      get: {
        summary: 'Hosts (of dhcpd.conf and created at run time), by name.',
        parameters: [query('name', 'Part of the name, any case.'), query('mac', 'Hardware address.'), ...PAGING],
        responses: { '200': ok('A page.', page('Host')), '400': error('A bad filter or cursor.'), ...ERRORS },
      },
      post: {
        summary: 'Creates a host, kept in the lease file as OMAPI keeps it; its client is served by it at once.',
        requestBody: { required: true, content: json(ref('Host')) },
        responses: {
          '201': ok('Created.', ref('Host')),
          '400': error('A bad host.'),
          '409': error('A host of that name exists.'),
          ...ERRORS,
        },
      },
    },
    '/hosts/{name}': {
      parameters: [path('name', "The host's name.")],
      get: {
        summary: 'One host.',
        responses: { '200': ok('The host.', ref('Host')), '404': error('No such host.'), ...ERRORS },
      },
      put: {
        summary: 'Replaces a host created at run time.',
        requestBody: { required: true, content: json(ref('Host')) },
        responses: {
          '200': ok('Replaced.', ref('Host')),
          '400': error('A bad host.'),
          '404': error('No such host.'),
          '409': error('A host of dhcpd.conf (change the file and reload).'),
          ...ERRORS,
        },
      },
      delete: {
        summary: 'Removes a host (one of dhcpd.conf is masked until the next restart, as ISC does).',
        responses: { '204': { description: 'Removed.' }, '404': error('No such host.'), ...ERRORS },
      },
    },
    '/pools': {
      get: {
        summary: 'Each pool and its counts.',
        responses: { '200': ok('Pools.', { type: 'array', items: ref('Pool') }), ...ERRORS },
      },
    },
    '/failover': {
      get: {
        summary: 'Each failover relationship ([] without failover).',
        responses: { '200': ok('Relationships.', { type: 'array', items: ref('Failover') }), ...ERRORS },
      },
    },
    '/config/test': {
      post: {
        summary: 'Checks a configuration (the body: its text) as `leasehold server -t` does; changes nothing.',
        requestBody: {
          required: true,
          content: {
            'text/plain': { schema: { type: 'string' } },
            ...json({ type: 'object', properties: { config: { type: 'string' } } }),
          },
        },
        responses: {
          '200': ok('Its errors (ok false) or none.', ref('ConfigResult')),
          '400': error('No text.'),
          ...ERRORS,
        },
      },
    },
    '/config/reload': {
      post: {
        summary: 'Reads dhcpd.conf again and swaps it in between two packets, or refuses it and keeps serving.',
        responses: {
          '200': ok('Reloaded.', ref('ConfigResult')),
          '409': ok('Refused: the errors; the running configuration goes on.', ref('ConfigResult')),
          ...ERRORS,
        },
      },
    },
    '/stats': {
      get: { summary: "The daemon's counters.", responses: { '200': ok('Counters.', ref('Stats')), ...ERRORS } },
    },
    '/history': {
      get: {
        summary: 'Lease history (--history-days) of an address or a hardware address, newest first.',
        parameters: [
          query('ip', 'Address.'),
          query('mac', 'Hardware address.'),
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': ok('Entries: `at` is when the change was made durable.', {
            type: 'object',
            properties: { items: { type: 'array', items: ref('HistoryEntry') } },
          }),
          '400': error('Neither ip nor mac, or a bad one.'),
          '501': error('History is not kept (--history-days 0).'),
          ...ERRORS,
        },
      },
    },
    '/openapi.json': { get: { summary: 'This document.', responses: { '200': ok('OpenAPI 3.', { type: 'object' }) } } },
  },
};
