import path from 'path';
import { ChargePointEvent, ChargePointTimeline, residentTokens, usageOf } from './charge-point-day';
import { loadFleet } from './fleet';
import { addDays, osloMidnight } from './oslo-time';

const demo = loadFleet(path.resolve(__dirname, '../../demo/baerum-fleet.yaml'));

describe('charge point days', () => {
  // Half a year of the demo's charge points, straight from the timelines.
  const events = new Map<string, ChargePointEvent[]>();
  for (const point of demo.chargePoints) {
    const timeline = new ChargePointTimeline(point, 20190101);
    const list: ChargePointEvent[] = [];
    for (let date = '2019-01-01'; date < '2019-07-01'; date = addDays(date, 1)) list.push(...timeline.day(date));
    events.set(point.deviceId, list);
  }
  const all = [...events.values()].flat();

  it('stays silent before commissioning and starts with every connector Available', () => {
    for (const point of demo.chargePoints.filter((p) => p.commissionedOn > '2019-01-01' && p.commissionedOn < '2019-07-01')) {
      const list = events.get(point.deviceId)!;
      expect(Math.min(...list.map((e) => e.ts))).toBeGreaterThanOrEqual(osloMidnight(point.commissionedOn));
      const first = list.filter((e) => e.stream === 'status').slice(0, point.connectors);
      expect(first.map((e) => e.fields.status)).toEqual(Array(point.connectors).fill('Available'));
    }
  });

  it('has evening and night sessions, idle points and an occasional fault that clears', () => {
    const starts = all.filter((e) => e.stream === 'transaction' && e.fields.event === 'start');
    const localHour = (ts: number) => new Date(ts + (new Date(ts).getUTCMonth() >= 3 && new Date(ts).getUTCMonth() <= 9 ? 2 : 1) * 3_600_000).getUTCHours();
    const evening = starts.filter((e) => localHour(e.ts) >= 15 && localHour(e.ts) < 20).length;
    const night = starts.filter((e) => localHour(e.ts) >= 20).length;
    expect(evening).toBeGreaterThan(night);
    expect(night).toBeGreaterThan(0);
    const sessionsPerPoint = demo.chargePoints.map((p) => events.get(p.deviceId)!.filter((e) => e.stream === 'transaction' && e.fields.event === 'start').length);
    expect(demo.chargePoints.some((p) => usageOf(p, 20190101) === 'idle')).toBe(true);
    expect(Math.min(...sessionsPerPoint)).toBeLessThan(10);
    const faults = all.filter((e) => e.stream === 'status' && e.fields.status === 'Faulted');
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.every((e) => e.fields.errorCode !== 'NoError')).toBe(true);
    for (const fault of faults) {
      const list = [...events.values()].find((l) => l.includes(fault))!;
      const next = list.find((e) => e.stream === 'status' && e.connectorId === fault.connectorId && e.ts > fault.ts);
      expect(next?.fields.status).toBe('Available');
    }
    expect(all.some((e) => e.stream === 'status' && e.fields.status === 'SuspendedEV')).toBe(true);
  });

  it("numbers transactions uniquely per point and uses the cooperative's resident tokens", () => {
    for (const point of demo.chargePoints) {
      const list = events.get(point.deviceId)!.filter((e) => e.stream === 'transaction');
      const ids = list.filter((e) => e.fields.event === 'start').map((e) => e.fields.transactionId);
      expect(new Set(ids).size).toBe(ids.length);
      const tokens = new Set(residentTokens(point.cooperative, 20190101));
      expect(list.filter((e) => e.fields.event === 'start').every((e) => tokens.has(String(e.fields.idTag)))).toBe(true);
    }
  });

  it('meters every 15 minutes on connector 0 with registers that only grow, matching the transactions', () => {
    for (const point of demo.chargePoints) {
      const list = events.get(point.deviceId)!;
      const total = list.filter((e) => e.stream === 'meter' && e.connectorId === 0);
      total.forEach((e, i) => {
        if (i > 0 && (e.fields.energyWh as number) < (total[i - 1].fields.energyWh as number)) throw new Error(`${point.deviceId}: register fell at ${e.ts}`);
        if (i > 0 && e.ts - total[i - 1].ts !== 900_000) throw new Error(`${point.deviceId}: gap in clock-aligned meter at ${e.ts}`);
      });
      const meters = new Map(list.filter((e) => e.stream === 'meter').map((e) => [`${e.ts}|${e.connectorId}`, e.fields.energyWh]));
      for (const stop of list.filter((e) => e.stream === 'transaction' && e.fields.event === 'stop')) {
        if (meters.get(`${stop.ts}|${stop.connectorId}`) !== stop.fields.meterWh) throw new Error(`${point.deviceId}: stop ${String(stop.fields.transactionId)} does not match the meter`);
      }
    }
  });
});
