import { deflateRawSync, deflateSync } from 'node:zlib';
import { DEFAULT_VENDOR_NAME } from '../../domain/Vendor.js';

/**
 * The Teams app package, made without dependencies: the manifest with the app id filled in, two
 * generated PNG icons, and a ZIP archive (deflate, CRC-32) holding the three at its root.
 */

const PLACEHOLDER = /\$\{\{\s*MICROSOFT_APP_ID\s*\}\}/g;
const VENDOR = /\$\{\{\s*VENDOR_NAME\s*\}\}/g;

/** JSON string content: the vendor's name goes inside quoted strings of the template. */
const jsonStringContent = (text: string) => JSON.stringify(text).slice(1, -1);

/**
 * The manifest with every `${{MICROSOFT_APP_ID}}` and `${{VENDOR_NAME}}` replaced (the app's name
 * and description speak for the vendor, as the bot does); throws when a placeholder is left.
 */
export function fillManifest(template: string, appId: string, vendorName: string = DEFAULT_VENDOR_NAME): string {
  const filled = template.replace(PLACEHOLDER, appId).replace(VENDOR, jsonStringContent(vendorName));
  const left = /\$\{\{[^}]*\}\}/.exec(filled);
  if (left) throw new Error(`teamsPackage: the manifest has a placeholder nobody fills: ${left[0]}`);
  const manifest = JSON.parse(filled) as { id?: string; bots?: Array<{ botId?: string }> };
  if (manifest.id !== appId || manifest.bots?.[0]?.botId !== appId) throw new Error('teamsPackage: manifest.id and bots[0].botId must both be ${{MICROSOFT_APP_ID}}');
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** An RGBA PNG (8 bits per channel) from a pixel function. */
export function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1); // each row starts with filter type 0
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A camera lens: a ring and a pupil, centred. `fg` where the lens is, `bg` elsewhere. */
function lens(size: number, fg: [number, number, number, number], bg: [number, number, number, number]) {
  const c = (size - 1) / 2;
  return png(size, size, (x, y) => {
    const r = Math.hypot(x - c, y - c) / (size / 2);
    return (r > 0.62 && r < 0.86) || r < 0.3 ? fg : bg;
  });
}

/** Teams: a 192×192 full-colour icon and a 32×32 outline (white on transparent). */
export const colorIcon = () => lens(192, [255, 255, 255, 255], [0x1f, 0x6f, 0xb2, 255]);
export const outlineIcon = () => lens(32, [255, 255, 255, 255], [0, 0, 0, 0]);

/** A ZIP archive (deflated entries, no directories) of the given files. */
export function zip(files: ReadonlyArray<{ name: string; data: Buffer }>, date = new Date(Date.UTC(2024, 0, 1))): Buffer {
  const dosTime = (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2);
  const dosDate = ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const compressed = deflateRawSync(file.data);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The three files of the package, ready to zip. */
export function teamsAppFiles(manifestTemplate: string, appId: string, vendorName?: string) {
  return [
    { name: 'manifest.json', data: Buffer.from(fillManifest(manifestTemplate, appId, vendorName), 'utf8') },
    { name: 'color.png', data: colorIcon() },
    { name: 'outline.png', data: outlineIcon() },
  ];
}
