import type { Logger } from 'pino';
import type { Server } from 'restify';

/** Process concerns: listen, and close cleanly on SIGTERM/SIGINT (finish requests, then close stores). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export function closeOnSignals(server: Server, logger: Logger, onClose: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting connections; onClose waits for running turns and their writes, then closes the
    // stores. (server.close's own callback would also wait for idle keep-alive sockets.)
    server.close();
    onClose()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        logger.error({ err: { message: err.message } }, 'shutdown failed');
        process.exit(1);
      });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
