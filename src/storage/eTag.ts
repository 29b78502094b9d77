import { randomBytes } from 'node:crypto';

/** A new, unique eTag for a document version. */
export function newETag(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}
