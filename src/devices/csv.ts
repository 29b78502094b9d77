/**
 * A small RFC 4180 reader: comma-separated fields, fields in double quotes may hold commas,
 * line breaks and doubled quotes (""); records end with CRLF, LF or a lone CR; a leading UTF-8
 * BOM is ignored. A malformed record is reported with the line it starts on and reading goes on
 * with the next line, so one bad row never hides the others.
 */
export type CsvRecord = { line: number; ok: true; fields: string[] } | { line: number; ok: false; error: string };

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;

  /** Consumes one line break at `i` if there is one; true when it did. */
  const lineBreak = (): boolean => {
    if (text[i] === '\r') {
      i += text[i + 1] === '\n' ? 2 : 1;
    } else if (text[i] === '\n') {
      i += 1;
    } else {
      return false;
    }
    line += 1;
    return true;
  };
  const atFieldEnd = (): boolean => i >= n || text[i] === ',' || text[i] === '\r' || text[i] === '\n';

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | null = null;
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (c === '\r' || c === '\n') {
            const from = i;
            lineBreak();
            value += text.slice(from, i);
            continue;
          }
          value += c;
          i += 1;
        }
        if (!closed) {
          error = `field ${fields.length + 1}: quoted field is never closed`;
          break;
        }
        if (!atFieldEnd()) {
          error = `field ${fields.length + 1}: unexpected ${JSON.stringify(text[i])} after a closing quote (write a quote inside a quoted field as "")`;
          break;
        }
      } else {
        while (!atFieldEnd()) {
          if (text[i] === '"') {
            error = `field ${fields.length + 1}: a quote inside an unquoted field (quote the whole field and double the quote)`;
            break;
          }
          value += text[i];
          i += 1;
        }
        if (error) break;
      }
      fields.push(value);
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    if (error) {
      // Resynchronise on the next line break.
      while (i < n && text[i] !== '\r' && text[i] !== '\n') i += 1;
      records.push({ line: start, ok: false, error });
    } else if (fields.some((f) => f.trim() !== '')) {
      records.push({ line: start, ok: true, fields });
    }
    lineBreak();
  }
  return records;
}
