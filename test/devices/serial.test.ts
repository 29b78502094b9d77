import { expect, test } from 'vitest';
import { DeviceSchema, findSerialCandidates, isCalendarDate, normalisePhone, normaliseSerial, wholeMessageSerial, type DeviceInput } from '../../src/domain/devices/Device.js';
import { editDistance } from '../../src/domain/devices/editDistance.js';

test('normaliseSerial: case, spaces, dashes and underscores do not matter', () => {
  expect(normaliseSerial('e1c2-0043-8812')).toBe('E1C200438812');
  expect(normaliseSerial(' E1C2 0043 8812 ')).toBe(normaliseSerial('E1C2-0043-8812'));
  expect(normaliseSerial('e1c2_0043_8812')).toBe(normaliseSerial('E1C2-0043-8812'));
  expect(normaliseSerial('NVR16A0009931')).toBe('NVR16A0009931');
});

test('normaliseSerial: the letters O, I and L fold onto 0 and 1, the same way on both sides', () => {
  expect(normaliseSerial('NVR16A0OO9931')).toBe(normaliseSerial('NVR16A0009931'));
  expect(normaliseSerial('sl-dvr8-24O117-OO42')).toBe(normaliseSerial('SL-DVR8-240117-0042'));
  expect(normaliseSerial('E1C2-OO43-88I2')).toBe(normaliseSerial('E1C2-0043-8812'));
  expect(normaliseSerial('SL-DVR8')).toBe('S1DVR8');
  // Other letters are kept: B and 8 are different serials.
  expect(normaliseSerial('NVR16B')).not.toBe(normaliseSerial('NVR168'));
});

test('findSerialCandidates: a serial after "SN:" in a sentence', () => {
  const found = findSerialCandidates('my NVR SN: DS-7608-2291 bought last spring');
  expect(found[0]).toEqual({ text: 'DS-7608-2291', key: 'DS76082291', marked: true });
  expect(found.map((c) => c.key)).not.toContain('NVR');
});

test('findSerialCandidates: a serial written in blank-separated groups is joined', () => {
  const found = findSerialCandidates('serial is e12 3456 789');
  expect(found[0]).toMatchObject({ text: 'E12 3456 789', key: 'E123456789', marked: true });
});

test('findSerialCandidates: the serial alone is offered too when a number follows it', () => {
  const keys = findSerialCandidates('NVR16A0009931 2 weeks ago').map((c) => c.key);
  expect(keys).toContain('NVR16A0009931');
});

test('findSerialCandidates: O for 0 in free text still gives the registry key', () => {
  const [first] = findSerialCandidates('S/N: sl-dvr8-24O117-OO42, it stopped recording');
  expect(first?.key).toBe(normaliseSerial('SL-DVR8-240117-0042'));
  expect(first?.text).toBe('SL-DVR8-24O117-OO42');
});

test('findSerialCandidates: serial markers in several spellings', () => {
  for (const text of ['S/N E1C2-0043-8812', 'serial number: E1C2-0043-8812', 'Serial no. E1C2-0043-8812', 'serial #E1C2-0043-8812', 'sn=E1C2-0043-8812']) {
    expect(findSerialCandidates(text)[0], text).toMatchObject({ key: 'E1C200438812', marked: true });
  }
  expect(findSerialCandidates('SNE1C2-0043-8812')[0]).toMatchObject({ key: 'E1C200438812', marked: true });
});

test('findSerialCandidates: dates, IP addresses, versions, phone numbers and plain words are not serials', () => {
  expect(findSerialCandidates('bought 2024-03-01, firmware 5.4.0, at 192.168.1.64, call +44 20 7946 0958')).toEqual([]);
  expect(findSerialCandidates('camera 3 shows no video since Tuesday')).toEqual([]);
  expect(findSerialCandidates('')).toEqual([]);
});

test('findSerialCandidates: marked candidates come before longer unmarked ones', () => {
  const found = findSerialCandidates('model DS-7608NI-K2-EXTRA, SN: E1C2-0043-8812');
  expect(found[0]?.key).toBe('E1C200438812');
});

test('wholeMessageSerial: a message that is only a serial, however it is spaced; nothing else', () => {
  expect(wholeMessageSerial(' sl dvr8 24ll29 OlO7 ')).toEqual({ text: 'SL DVR8 24LL29 OLO7', key: normaliseSerial('SL-DVR8-241129-0107'), marked: false });
  expect(wholeMessageSerial('E1C2-0043-8812')).toMatchObject({ key: 'E1C200438812' });
  for (const text of ['camera 3 shows no video since Tuesday', 'my camera e12', 'serial: E1C2-0043-8812', '2024-03-01', 'hello', 'a b c d e f g 1 2 3']) {
    expect(wholeMessageSerial(text), text).toBeNull();
  }
});

test('editDistance: Damerau–Levenshtein with adjacent swaps costing one', () => {
  expect(editDistance('NVR16A0009931', 'NVR16A0009931')).toBe(0);
  expect(editDistance('NVR16A0009931', 'NVR16A0009913')).toBe(1);
  expect(editDistance('NVR16A0009931', 'NVR16A000993')).toBe(1);
  expect(editDistance('NVR16A0009931', 'NVR16A0009932')).toBe(1);
  expect(editDistance('ABC', 'XYZ')).toBe(3);
  expect(editDistance('', 'ABC')).toBe(3);
  expect(editDistance('AAAAAAAA', 'BBBBBBBB', 2)).toBe(3);
});

test('isCalendarDate: leap days and month ends', () => {
  expect(isCalendarDate('2024-02-29')).toBe(true);
  expect(isCalendarDate('2023-02-29')).toBe(false);
  expect(isCalendarDate('2026-04-31')).toBe(false);
  expect(isCalendarDate('2026-12-31')).toBe(true);
  expect(isCalendarDate('2026-13-01')).toBe(false);
  expect(isCalendarDate('26-11-28')).toBe(false);
});

test('normalisePhone: formatting does not matter', () => {
  expect(normalisePhone('+84 28 3822-1140')).toBe(normalisePhone('+842838221140'));
  expect(normalisePhone('(028) 3822 1140')).toBe('02838221140');
});

const camera: DeviceInput = {
  serial: ' e1c2-0043-8812 ',
  model: 'E1C2 Dome Camera 2MP',
  category: 'camera',
  policyId: 'poe-sec',
  deliveredOn: '2025-06-02',
  paidInFull: true,
  card: { hasSerial: true, hasPurchaseDate: true },
  customerRef: 'CUST-1',
};

test('DeviceSchema: keeps the serial as printed (upper case) and checks every field', () => {
  expect(DeviceSchema.parse(camera).serial).toBe('E1C2-0043-8812');
  expect(DeviceSchema.safeParse({ ...camera, deliveredOn: '2023-02-29' }).success).toBe(false);
  expect(DeviceSchema.safeParse({ ...camera, serial: 'abc' }).success).toBe(false);
  expect(DeviceSchema.safeParse({ ...camera, price: -1 }).success).toBe(false);
  expect(DeviceSchema.safeParse({ ...camera, category: 'router' }).success).toBe(false);
  const accessory = DeviceSchema.safeParse({ ...camera, category: 'accessory' });
  expect(accessory.success).toBe(false);
  expect(accessory.error?.issues[0]?.path).toEqual(['manufacturerWarrantyMonths']);
  expect(DeviceSchema.safeParse({ ...camera, category: 'accessory', manufacturerWarrantyMonths: 12 }).success).toBe(true);
});
