import { z } from 'zod';

export type LineResult<T> = { line: number; ok: true; value: T } | { line: number; ok: false; error: string };

/**
 * Parses JSON Lines: every non-blank line is parsed and validated on its own, so one bad line
 * is reported (with its line number) and the rest are still used.
 */
export function parseJsonLines<T>(text: string, schema: z.ZodType<T>): Array<LineResult<T>> {
  const results: Array<LineResult<T>> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    results.push(parseJsonLine(raw, schema, line));
  });
  return results;
}

export function parseJsonLine<T>(raw: string, schema: z.ZodType<T>, line: number): LineResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { line, ok: false, error: `line ${line}: not JSON (${(err as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { line, ok: false, error: `line ${line}: ${describeZodError(parsed.error)}` };
  return { line, ok: true, value: parsed.data };
}

/** One line per issue, naming the path: `text: must not be empty`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
