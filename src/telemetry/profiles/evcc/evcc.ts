import { AssembledBodies, ValueKind, definedOnly } from '../assembled-profile';
import { booleanText, numberText } from '../values';

/**
 * evcc (charging controller) to telemetry contract v1: each loadpoint is a charge point with one
 * connector (connector 1).
 *
 * Topics `<root>/loadpoints/<n>/<key>` (root: evcc's `mqtt.topic`, default `evcc`), retained,
 * values as text; identity `<root>/<n>`. `<root>/status` `online`/`offline` is the connection
 * event of every loadpoint under the root; `<root>/updated` (unix s) stamps the values published
 * with it (the latest one received since the window opened, or within a window before it).
 *
 * | key                        | contract                                                    |
 * |----------------------------|-------------------------------------------------------------|
 * | chargeTotalImport (kWh)    | meter sample energyWh = value x 1000                        |
 * | chargePower (W)            | meter sample powerW                                         |
 * | connected (true/false)     | status: Available when false; Preparing, or Charging with charging |
 * | charging (true/false)      | status Charging when true and connected                     |
 *
 * A status needs both flags: one missing in the window is taken from the last known (live state,
 * which a retained snapshot may seed). Every other key is ignored (counted), sessionEnergy among
 * them: the register decides the energy.
 */
const KEYS = new Set(['chargeTotalImport', 'chargePower', 'connected', 'charging']);
const LOADPOINT = /^loadpoints\/([0-9]{1,3})\/([^/]+)$/;

export type EvccTopic = { kind: 'loadpoint'; identity: string; key: string } | { kind: 'status' } | { kind: 'updated' } | { kind: 'other' };

/** A topic under an evcc root (`rest` is the part after `<root>/`). */
export function evccTopic(root: string, rest: string): EvccTopic {
  if (rest === 'status') return { kind: 'status' };
  if (rest === 'updated') return { kind: 'updated' };
  const match = LOADPOINT.exec(rest);
  return match ? { kind: 'loadpoint', identity: `${root}/${match[1]}`, key: match[2] } : { kind: 'other' };
}

export function evccValueKind(key: string): ValueKind {
  return KEYS.has(key) ? { kind: 'value' } : { kind: 'ignored' };
}

/** The connection state of `<root>/status`. */
export function evccStatus(text: string | undefined): 'online' | 'offline' | undefined {
  return text === 'online' || text === 'offline' ? text : undefined;
}

/** Flags of a loadpoint known from earlier windows. */
export interface EvccFlags {
  connected?: boolean;
  charging?: boolean;
}

/** One window's values as contract status and meter samples of connector 1, stamped `ts`. */
export function evccBodies(values: Map<string, string | undefined>, ts: number | unknown, known: EvccFlags): AssembledBodies {
  const bodies: AssembledBodies = {};
  const flag = (key: 'connected' | 'charging') => {
    const value = booleanText(values.get(key));
    if (typeof value === 'boolean') known[key] = value;
    return values.has(key) ? value : known[key];
  };
  const connected = flag('connected');
  const charging = flag('charging');
  if ((values.has('connected') || values.has('charging')) && connected !== undefined) {
    // A flag that is not true/false goes on as it came: the contract's check names it.
    const status = typeof connected !== 'boolean' ? connected : !connected ? 'Available' : charging === true ? 'Charging' : 'Preparing';
    bodies.status = { ts, connectorId: 1, status };
  }
  const energy = numberText(values.get('chargeTotalImport'));
  const meter = definedOnly({ energyWh: typeof energy === 'number' ? Math.round(energy * 1000 * 1000) / 1000 : energy, powerW: numberText(values.get('chargePower')) });
  if (Object.keys(meter).length > 0) bodies.meter = { ts, connectorId: 1, ...meter };
  return bodies;
}
