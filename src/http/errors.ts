import type { ServerResponse } from 'node:http';

/** The body of every error answer of the HTTP API. */
export interface ErrorBody {
  /** A stable machine-readable code ("bad_request", "payload_too_large", …). */
  error: string;
  /** A sentence for the developer reading it; never echoes customer data. */
  message: string;
}

/**
 * Answers `status` with `{ error, message }` as JSON. Works on a plain ServerResponse too (restify's
 * Response is one), so pre-routing handlers can use it. Does nothing when the answer has already
 * started or the client has gone: a second answer would throw, and nobody would read it.
 */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const body = JSON.stringify({ error: code, message } satisfies ErrorBody);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
