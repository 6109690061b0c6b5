import { Rejection } from '../telemetry/contract/rejection';
import { isChargePointAction, meterSamples, ocppTime, statusSample, UNSUPPORTED_ACTIONS } from './ocpp-messages';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const context = { now: NOW, horizonMs: 800 * 86_400_000, futureToleranceMs: 5 * 60_000, idTagSecret: 'secret' };

describe('OCPP meter values', () => {
  const read = (meterValue: unknown[]) => {
    const rejected: Array<[number, string]> = [];
    const reading = meterSamples(meterValue as Array<Record<string, unknown>>, 1, '42', context, (index, error) => rejected.push([index, (error as Rejection).reason]));
    return { ...reading, rejected };
  };

  it('takes the default measurand as the energy register in Wh, kWh x 1000 and kW x 1000', () => {
    expect(read([{ timestamp: '2026-12-03T10:00:00Z', sampledValue: [{ value: '1234.5' }] }]).samples).toEqual([
      { ts: Date.parse('2026-12-03T10:00:00Z'), connectorId: 1, energyWh: 1234.5, powerW: null, transactionId: '42', socPct: null, extra: null },
    ]);
    const [sample] = read([
      {
        timestamp: '2026-12-03T10:00:00Z',
        sampledValue: [
          { value: '12.5', unit: 'kWh' },
          { value: '7.4', measurand: 'Power.Active.Import', unit: 'kW' },
        ],
      },
    ]).samples;
    expect(sample).toMatchObject({ energyWh: 12500, powerW: 7400 });
  });

  it('keeps per-phase values, other measurands and the EV side out of the totals, in extra, and counts them', () => {
    const { samples, otherValues } = read([
      {
        timestamp: '2026-12-03T10:00:00Z',
        sampledValue: [
          { value: '4.1', measurand: 'Energy.Active.Import.Register', unit: 'kWh', phase: 'L1' },
          { value: '2.3', measurand: 'Power.Active.Import', unit: 'kW', phase: 'L2' },
          { value: '12', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
          { value: '16.2', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
          { value: '64', measurand: 'SoC', unit: 'Percent', location: 'EV' },
          { value: 'abc', measurand: 'Temperature' },
        ],
      },
    ]);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ energyWh: 12000, powerW: null, socPct: 64 });
    expect(samples[0].extra).toEqual({ 'Energy.Active.Import.Register.L1 (kWh)': 4.1, 'Power.Active.Import.L2 (kW)': 2.3, 'Current.Import.L1 (A)': 16.2 });
    expect(otherValues).toBe(4);
  });

  it('makes elements with the same timestamp one reading; one without energy or power is no sample', () => {
    const { samples } = read([
      { timestamp: '2026-12-03T10:00:00Z', sampledValue: [{ value: '100' }] },
      { timestamp: '2026-12-03T10:00:00.000Z', sampledValue: [{ value: '3000', measurand: 'Power.Active.Import' }] },
      { timestamp: '2026-12-03T10:05:00Z', sampledValue: [{ value: '230', measurand: 'Voltage', unit: 'V' }] },
    ]);
    expect(samples).toEqual([expect.objectContaining({ energyWh: 100, powerW: 3000 })]);
  });

  it('reads timestamps without an offset as UTC and rejects only the elements at fault', () => {
    expect(ocppTime('2026-12-03T10:00:00')).toBe('2026-12-03T10:00:00Z');
    expect(ocppTime('2026-12-03T10:00:00.5+01:00')).toBe('2026-12-03T10:00:00.5+01:00');
    const { samples, rejected } = read([
      { timestamp: '2026-12-03T10:00:00', sampledValue: [{ value: '100' }] },
      { timestamp: '2026-12-03T12:06:00Z', sampledValue: [{ value: '200' }] },
      { timestamp: '2026-12-03T11:00:00Z', sampledValue: [{ value: '-5' }] },
    ]);
    expect(samples.map((sample) => sample.ts)).toEqual([Date.parse('2026-12-03T10:00:00Z')]);
    expect(rejected).toEqual([
      [1, 'timestamp_in_future'],
      [2, 'schema_violation'],
    ]);
  });
});

describe('OCPP status and actions', () => {
  it('keeps the vendor error code and takes the receive time when the timestamp is absent', () => {
    expect(statusSample({ connectorId: 2, status: 'Faulted', errorCode: 'GroundFailure', vendorErrorCode: 'E17' }, context)).toEqual({
      ts: NOW,
      connectorId: 2,
      status: 'Faulted',
      errorCode: 'GroundFailure',
      vendorErrorCode: 'E17',
    });
  });

  it('tells the actions a charge point sends from those it does not', () => {
    expect(isChargePointAction('MeterValues')).toBe(true);
    expect(isChargePointAction('Reset')).toBe(false);
    expect(UNSUPPORTED_ACTIONS.has('Reset')).toBe(true);
    expect(UNSUPPORTED_ACTIONS.has('FlyToTheMoon')).toBe(false);
  });
});
