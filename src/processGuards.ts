import type { Logger } from 'pino';

/** What is logged of a thrown value: never its other properties (they may carry customer data). */
export function describeThrown(value: unknown): { name: string; message: string; stack?: string } {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  }
  // A thrown string or object could be anything a customer typed: say only what kind it was.
  return { name: 'NonError', message: `a value of type ${value === null ? 'null' : typeof value} was thrown` };
}

/**
 * The last line of defence of issue 8 ("nothing a client sends stops the process"): an unhandled
 * rejection or uncaught exception anywhere (a library's timer callback, a stream without an error
 * handler) is logged and the process keeps serving. Without these handlers Node exits on either;
 * the process now ends only on SIGTERM/SIGINT (see server.ts). Returns a function that removes them.
 */
export function containProcessErrors(logger: Pick<Logger, 'error' | 'fatal'>): () => void {
  const onRejection = (reason: unknown) => {
    try {
      logger.error({ err: describeThrown(reason) }, 'unhandled promise rejection (contained; the process keeps running)');
    } catch {
      // Logging must not throw from here: that would be an uncaught exception in turn.
    }
  };
  const onException = (error: unknown, origin: string) => {
    try {
      logger.fatal({ err: describeThrown(error), origin }, 'uncaught exception (contained; the process keeps running)');
    } catch {
      // As above.
    }
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
