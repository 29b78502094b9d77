/**
 * Cutting text to a channel's limits without losing or mangling it: cuts fall between grapheme
 * clusters (an emoji, a flag or a letter with its accents stays whole) and never inside an escaped
 * entity (`&amp;`, `&lt;`, `&#123;`), prefer a line break or a space, and a cut is always marked
 * so the reader sees that something follows or was left out.
 *
 * Lengths are UTF-16 code units (`string.length`): never fewer than the code points or characters a
 * channel counts, so a piece within the limit here is within it there too.
 */

/** Ends every piece of a split text but the last: the rest follows in the next piece. */
export const CONTINUED = '… (continued)';
/** Ends a text that had to be shortened where there is no room for the rest (a label, a heading). */
export const SHORTENED = '… (shortened)';
/** Ends every message of a view but the last, where a channel needs several for one view. */
export const MORE_IN_NEXT_MESSAGE = 'More in the next message.';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Longest grapheme cluster looked at around a cut; longer clusters (which no font draws) are cut between code points. */
const CLUSTER_WINDOW = 128;

/** The start of the grapheme cluster `index` falls in (itself when it is a boundary). */
function clusterStart(text: string, index: number): number {
  if (index <= 0 || index >= text.length) return index;
  const from = Math.max(0, index - CLUSTER_WINDOW);
  const cluster = graphemes.segment(text.slice(from, Math.min(text.length, index + CLUSTER_WINDOW))).containing(index - from);
  const start = from + (cluster?.index ?? index - from);
  if (start > from || from === 0) return start;
  // A cluster longer than the window: at least keep surrogate pairs together.
  return /[\uDC00-\uDFFF]/.test(text[index] ?? '') && /[\uD800-\uDBFF]/.test(text[index - 1] ?? '') ? index - 1 : index;
}

const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

/** `index` moved back to the start of an escaped entity it falls inside. */
function outsideEntity(text: string, index: number): number {
  const from = Math.max(0, index - 40);
  ENTITY.lastIndex = from;
  for (let m = ENTITY.exec(text); m !== null && m.index < index; m = ENTITY.exec(text)) {
    if (m.index + m[0].length > index) return m.index;
  }
  return index;
}

/**
 * Where to end a piece of `text` that starts at `start` and may be at most `max` long: after the
 * last line break or space in the second half of the window, else at `start + max`, then moved
 * back out of any entity and to a grapheme boundary. `start` itself when nothing fits whole.
 */
function cutAt(text: string, start: number, max: number): number {
  const hard = start + max;
  if (hard >= text.length) return text.length;
  const window = text.slice(start, hard);
  const soft = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
  const end = soft >= window.length / 2 ? start + soft + 1 : hard;
  return Math.max(start, clusterStart(text, outsideEntity(text, end)));
}

/**
 * `text` in pieces of at most `max` code units, each but the last ending with {@link CONTINUED}.
 * Removing the markers and joining the pieces gives `text` back.
 */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const room = max - CONTINUED.length;
  if (room < 1) throw new RangeError(`splitText: a limit of ${max} leaves no room for text`);
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    let end = cutAt(text, start, room);
    // A grapheme cluster or entity longer than a whole piece (only with tiny limits): cut it
    // between code points rather than exceed the limit.
    if (end === start) end = start + room - (/[\uD800-\uDBFF]/.test(text[start + room - 1] ?? '') && room > 1 ? 1 : 0);
    pieces.push(text.slice(start, end) + CONTINUED);
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** `text` cut to at most `max` code units, ending with `marker` when it had to be cut. */
export function shorten(text: string, max: number, marker = SHORTENED): string {
  if (text.length <= max) return text;
  const room = max - marker.length;
  if (room < 1) throw new RangeError(`shorten: a limit of ${max} leaves no room for text`);
  return text.slice(0, cutAt(text, 0, room)).trimEnd() + marker;
}

/** The size of a payload as sent: UTF-8 bytes of its JSON. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');
