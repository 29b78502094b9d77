let counter = 0;

/** A new, unique eTag for a document version: time plus a per-process counter (no syscall). */
export function newETag(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${Date.now().toString(36)}-${process.pid.toString(36)}-${counter.toString(36)}`;
}
