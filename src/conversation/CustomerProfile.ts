/** What the bot remembers about a customer across conversations (user state). */
export interface CustomerProfile {
  firstSeenAt?: string;
  lastSeenAt?: string;
  /** Given in the chat when a ticket was opened; reused for the next one. */
  name?: string;
  contact?: string;
}

const EMAIL = /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;
const PHONE = /\+?\d[\d ()./-]{5,}\d/;

/**
 * Reads a name and a phone number or email from one reply ("Dana, 0903 112 458" or
 * "dana@example.com"). Null when there is neither a phone number nor an email.
 */
export function parseContact(text: string): { name?: string; contact: string } | null {
  const found = EMAIL.exec(text) ?? PHONE.exec(text);
  if (!found) return null;
  const contact = found[0].trim();
  const name = text
    .replace(found[0], ' ')
    .replace(/\b(my name is|i am|i'm|name|phone|email|e-mail|tel|mobile|is|and|at)\b[:]?/gi, ' ')
    .replace(/[,;:()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return name.length >= 2 && name.length <= 80 ? { name, contact } : { contact };
}
