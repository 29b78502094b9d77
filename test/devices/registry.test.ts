import { expect, test, vi } from 'vitest';
import { lookUpSerialInText } from '../../src/domain/devices/DeviceRegistry.js';
import { DocumentDeviceRegistry } from '../../src/storage/DocumentDeviceRegistry.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { device, openRegistry, tempDir } from './helpers.js';

test('upsert: created, then unchanged without a write, then updated', async () => {
  const { store, registry } = await openRegistry();
  expect(await registry.upsert(device())).toBe('created');
  const write = vi.spyOn(store, 'write');
  expect(await registry.upsert(device())).toBe('unchanged');
  expect(write).not.toHaveBeenCalled();
  expect(await registry.upsert(device({ paidInFull: false }))).toBe('updated');
  expect(write).toHaveBeenCalledTimes(1);
  expect((await registry.get('NVR16A0009931'))?.paidInFull).toBe(false);
  expect(await registry.count()).toBe(1);
});

test('the same device written in another form of its serial is the same document', async () => {
  const { registry } = await openRegistry();
  expect(await registry.upsert(device({ serial: 'SL-DVR8-240117-0042' }))).toBe('created');
  expect(await registry.upsert(device({ serial: 'sl-dvr8-24O117-OO42', paidInFull: false }))).toBe('updated');
  expect(await registry.count()).toBe(1);
  const found = await registry.get('s l d v r 8 2 4 0 1 1 7 0 0 4 2');
  expect(found?.serial).toBe('SL-DVR8-24O117-OO42');
  expect(await registry.get('SL-DVR8-240117-0043')).toBeNull();
  expect(await registry.get('')).toBeNull();
});

test('devices survive closing and reopening the store, and the index is rebuilt from it', async () => {
  const dir = await tempDir();
  const first = await LowdbDocumentStore.open(dir);
  const before = new DocumentDeviceRegistry(first);
  await before.upsert(device());
  await before.upsert(device({ serial: 'E1C2-0043-8812', model: 'E1C2 Dome Camera 2MP', category: 'camera' }));
  await first.close();

  const second = await LowdbDocumentStore.open(dir);
  const after = new DocumentDeviceRegistry(second);
  expect(await after.count()).toBe(2);
  expect(await after.get('e1c2 0043 8812')).toEqual(device({ serial: 'E1C2-0043-8812', model: 'E1C2 Dome Camera 2MP', category: 'camera' }));
  expect(await after.upsert(device())).toBe('unchanged');
  await second.close();
});

test('closest: suggests the registered serial for a typo, nearest first, nothing for a stranger', async () => {
  const { store, registry } = await openRegistry();
  for (const serial of ['NVR16A0009931', 'NVR16A0010245', 'E1C2-0043-8812', 'E1C2-0043-8813', 'SL-DVR8-240117-0042']) {
    await registry.upsert(device({ serial }));
  }
  const list = vi.spyOn(store, 'list');
  // A swapped pair of digits is one edit.
  expect(await registry.closest('NVR16A0009913')).toEqual([{ serial: 'NVR16A0009931', model: 'NVR16A 16-channel NVR', distance: 1 }]);
  // One digit off: both neighbours are suggested, the nearest first.
  expect((await registry.closest('E1C2-0043-8814')).map((s) => s.serial)).toEqual(['E1C2-0043-8812', 'E1C2-0043-8813']);
  expect((await registry.closest('E1C2-0043-8814', 1)).map((s) => s.serial)).toEqual(['E1C2-0043-8812']);
  // O for 0 is no edit at all.
  expect(await registry.closest('SL-DVR8-24O117-OO42')).toEqual([{ serial: 'SL-DVR8-240117-0042', model: 'NVR16A 16-channel NVR', distance: 0 }]);
  expect(await registry.closest('PTZ-X25-0000147')).toEqual([]);
  // The index was built once (by the upserts above), not per call.
  expect(list).not.toHaveBeenCalled();
});

test('lookUpSerialInText: finds a device named in a sentence, or says what is close', async () => {
  const { registry } = await openRegistry();
  await registry.upsert(device({ serial: 'DS-7608-2291' }));
  await registry.upsert(device({ serial: 'E12-3456-789', category: 'camera', model: 'E1 Mini Camera 2MP' }));

  const found = await lookUpSerialInText(registry, 'my NVR SN: DS-7608-2291 bought last spring');
  expect(found.kind === 'found' && found.device.serial).toBe('DS-7608-2291');
  const spaced = await lookUpSerialInText(registry, 'serial is e12 3456 789');
  expect(spaced.kind === 'found' && spaced.device.serial).toBe('E12-3456-789');

  expect(await lookUpSerialInText(registry, 'is my camera still under warranty?')).toEqual({ kind: 'no_serial' });
});

test('lookUpSerialInText: a near serial is unknown, with only what the customer typed; the registry is asked for exact serials only', async () => {
  const { registry } = await openRegistry();
  await registry.upsert(device({ serial: 'DS-7608-2291' }));
  const closest = vi.spyOn(registry, 'closest');
  const get = vi.spyOn(registry, 'get');
  const typo = await lookUpSerialInText(registry, 'SN: DS-7608-2219, it reboots every night');
  // Nothing of DS-7608-2291 (nor that it exists): the customer's own text to check against the label.
  expect(typo).toEqual({ kind: 'unknown', candidate: { text: 'DS-7608-2219', key: 'DS76082219', marked: true } });
  expect(closest).not.toHaveBeenCalled();
  expect(get.mock.calls.map(([key]) => key)).toContain('DS76082219');
});

test('lookUpSerialInText: a reply that is only the serial is one serial, blanks anywhere', async () => {
  const { registry } = await openRegistry();
  await registry.upsert(device({ serial: 'SL-DVR8-241129-0107' }));
  const found = await lookUpSerialInText(registry, 'sl dvr8 24ll29 OlO7');
  expect(found.kind === 'found' && found.device.serial).toBe('SL-DVR8-241129-0107');
  // Not found: the customer sees the whole serial they typed, not its digit groups.
  expect(await lookUpSerialInText(registry, 'sl dvr8 24ll29 OlO8')).toMatchObject({ kind: 'unknown', candidate: { text: 'SL DVR8 24LL29 OLO8' } });
});

test('upsert rejects an invalid device with a one-line error naming the field', async () => {
  const { registry } = await openRegistry();
  await expect(registry.upsert({ ...device(), deliveredOn: '2023-02-29' })).rejects.toThrow(/^DocumentDeviceRegistry\.upsert\(\): invalid device: deliveredOn: not a calendar date/);
});
