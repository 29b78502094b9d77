import type { Request, Response } from 'restify';
import type { StaffTokens } from '../domain/staff/StaffTokens.js';
import type { ClientLimits } from './ClientLimits.js';
import { sendError } from './errors.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Who a verified staff token belongs to. */
export type StaffIdentity = NonNullable<Awaited<ReturnType<StaffTokens['verify']>>>;

/**
 * The staff-token check every staff route runs (the staff API, Insights): `Authorization: Bearer
 * <token>` verified against the stored tokens. Guessing is cut off per address: a failure is
 * charged to the `failedAuth` allowance, and past it even a good token waits (429). Resolves with
 * the staff member, or null once a 401/429 has been sent.
 */
export async function authenticateStaff(req: Request, res: Response, tokens: Pick<StaffTokens, 'verify'>, limits: ClientLimits): Promise<StaffIdentity | null> {
  const address = limits.clientAddress(req);
  if (await limits.refuseIfSpent('failedAuth', address, res)) return null;
  const match = BEARER.exec(req.header('authorization') ?? '');
  const who = match?.[1] ? await tokens.verify(match[1]) : null;
  if (who) return who;
  await limits.charge('failedAuth', address);
  res.header('WWW-Authenticate', 'Bearer realm="staff"');
  sendError(res, 401, 'unauthorized', match ? 'The staff token is unknown or revoked.' : 'Send the staff token as "Authorization: Bearer <token>".');
  return null;
}
