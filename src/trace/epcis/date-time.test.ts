import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDateTimeStamp, normaliseTimestamp, timestampEpochMs } from './date-time.ts';

test('xsd:dateTimeStamp recognition', () => {
  for (const ok of ['2024-05-01T08:30:00+07:00', '2024-05-01T08:30:00.1Z', '2024-02-29T23:59:59.999999-14:00', '0001-01-01T00:00:00Z', '2024-05-01T08:30:00+14:00']) {
    assert.ok(isDateTimeStamp(ok), ok);
  }
  for (const bad of [
    '2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T23:59:60Z',
    '2024-05-01T08:30:00', '2024-05-01 08:30:00Z', '2024-05-01T08:30Z', '2024-05-01T08:30:00+14:30', '2024-05-01T08:30:00+0700',
    '22-07-2026', '', '2024-05-01T08:30:00.Z', '+2024-05-01T08:30:00Z',
  ]) {
    assert.ok(!isDateTimeStamp(bad), bad);
  }
});

test('CBV 2.0 §8.9 timestamps: UTC, milliseconds, round on the 4th fractional digit', () => {
  const cases: Array<[string, string]> = [
    ['2005-04-03T20:33:31.116000-06:00', '2005-04-04T02:33:31.116Z'],
    ['2023-02-02T11:04:03.1415Z', '2023-02-02T11:04:03.142Z'],
    ['2023-02-02T11:04:03.1414Z', '2023-02-02T11:04:03.141Z'],
    ['2023-02-12T11:04:03.1007Z', '2023-02-12T11:04:03.101Z'],
    ['2024-12-31T23:59:59.9995+00:00', '2025-01-01T00:00:00.000Z'],
    ['2024-03-01T00:30:00+07:00', '2024-02-29T17:30:00.000Z'],
    ['2019-10-21T14:45:00Z', '2019-10-21T14:45:00.000Z'],
    ['  2019-10-21T14:45:00z ', '2019-10-21T14:45:00.000Z'],
    ['2019-10-21 14:45:00', '2019-10-21T14:45:00.000Z'],
    ['0001-01-01T00:30:00+01:00', '0001-01-01T00:30:00+01:00'],
    ['not a time', 'not a time'],
  ];
  for (const [input, expected] of cases) assert.equal(normaliseTimestamp(input), expected, input);
  // Epoch ms agree with parsing the normalised text, whichever of the two is asked first.
  for (const [input] of [...cases, ['9999-12-31T23:59:59.9999Z', ''], ['2019-10-21T14:45:00+14:00', '']]) {
    const viaText = Date.parse(normaliseTimestamp(input));
    assert.equal(timestampEpochMs(input), viaText, input);
    assert.equal(timestampEpochMs(` ${input}`), Date.parse(normaliseTimestamp(` ${input}`)), input);
  }
});
