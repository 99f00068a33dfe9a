// The small things every route shares: errors as `{"error": message}`, OMAPI result codes as HTTP statuses,
// query strings read as single strings, paging parameters.

import type { FastifyReply } from 'fastify';
import type { Outcome } from '../omapi/provider.js';
import { DHCP_R, ISC_R } from '../omapi/results.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../server/admin-queries.js';

export function sendError(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).send({ error });
}

/** The HTTP status of an OMAPI result code, and what to say when the command gave no better message. */
export function failureStatus(result: number): { status: number; text: string } {
  switch (result) {
    case ISC_R.NOTFOUND:
      return { status: 404, text: 'not found' };
    case ISC_R.EXISTS:
      return { status: 409, text: 'it exists already' };
    case ISC_R.NOPERM:
      return { status: 409, text: 'not permitted' };
    case DHCP_R.INVALIDARG:
      return { status: 400, text: 'invalid' };
    case ISC_R.NOTIMPLEMENTED:
      return { status: 501, text: 'not implemented' };
    case ISC_R.IOERROR:
      return { status: 500, text: 'the lease file could not be written; nothing was changed' };
    default:
      return { status: 500, text: `failed (result ${result})` };
  }
}

/** Sends a failed command's status; `messages` overrides what to say per status. */
export function sendFailure(
  reply: FastifyReply,
  outcome: Extract<Outcome<unknown>, { ok: false }>,
  messages: Partial<Record<number, string>> = {},
): FastifyReply {
  const { status, text } = failureStatus(outcome.result);
  const own =
    outcome.message !== undefined && !/^(can't|no matching)/.test(outcome.message) ? outcome.message : undefined;
  return sendError(reply, status, messages[status] ?? own ?? text);
}

/** A query parameter as one string (repeated ones joined with commas, as `state=a&state=b`). */
export function param(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.map(String).join(',');
  return typeof v === 'string' ? v : undefined;
}

export function pageLimit(v: unknown): number | { error: string } {
  const text = param(v);
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    return { error: `limit must be an integer from 1 to ${MAX_LIMIT}` };
  return n;
}
