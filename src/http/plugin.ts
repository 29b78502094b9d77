import type { Logger } from 'pino';
import type { Server } from 'restify';
import type { ClientLimits } from './ClientLimits.js';

/** What the edge gives every plug-in: the logger and the per-client limits. */
export interface Edge {
  logger: Logger;
  limits: ClientLimits;
}

/**
 * A part of the public surface that registers its own routes: the Bot Framework endpoint, the
 * self-hosted Direct Line, the widget page, the staff API and console. Plug-ins depend on the edge
 * and on the bot's turn runner, never on the HTTP app module.
 */
export interface HttpPlugin {
  readonly name: string;
  register(server: Server, edge: Edge): void;
}
