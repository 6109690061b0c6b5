/**
 * Who drives when. Most departments drive one day shift on working days. Two kinds of service
 * run round the clock, every day of the week:
 * - home care ("hjemmetjenesten"): day, evening and late visits and a night patrol;
 * - the caretakers' and the water works' on-call duty ("vakt", Eiendom and Vann og avløp): most of
 *   their vehicles work days on working days, a few take the evening, late and night duty every day.
 * A round-the-clock department rotates its vehicles through its roster, each group of vehicles
 * that report through the same publisher (TeslaMate, OVMS, a tracker, contract v1) on its own, so
 * that at any hour of any day the board shows every kind of publisher moving.
 */
import type { SimProfile } from './fleet';
import { hash32 } from './prng';

export type Shift = 'day' | 'evening' | 'late' | 'night';

export interface Duty {
  shift: Shift;
  /** Drives on weekends and public holidays too (else on working days only). */
  everyDay: boolean;
}

interface Roster {
  department: RegExp;
  /** Duties handed out in turn to a group's vehicles, in a fixed order of their device ids. */
  rotation: readonly Duty[];
}

const ALWAYS = (shift: Shift): Duty => ({ shift, everyDay: true });
const WORKING_DAYS = (shift: Shift): Duty => ({ shift, everyDay: false });

const ROSTERS: readonly Roster[] = [
  { department: /hjemmetjeneste/i, rotation: [ALWAYS('day'), ALWAYS('evening'), ALWAYS('night'), ALWAYS('late')] },
  // The on-call duty covers the weekend's days too.
  { department: /eiendom|vann og avløp/i, rotation: [ALWAYS('day'), ALWAYS('evening'), ALWAYS('night'), ALWAYS('late'), WORKING_DAYS('day'), WORKING_DAYS('day')] },
];

const DAY_SHIFT = WORKING_DAYS('day');

export interface RosteredVehicle extends SimProfile {
  deviceId: string;
  /** The department's name (organization numbers say nothing about what a department does). */
  departmentName: string;
  department: string;
}

/** Each vehicle's duty, by device id. */
export function assignDuties(vehicles: readonly RosteredVehicle[]): Map<string, Duty> {
  const groups = new Map<string, { roster: Roster; deviceIds: string[] }>();
  const duties = new Map<string, Duty>();
  for (const vehicle of vehicles) {
    const roster = ROSTERS.find((candidate) => candidate.department.test(vehicle.departmentName));
    if (!roster) {
      duties.set(vehicle.deviceId, DAY_SHIFT);
      continue;
    }
    const key = `${vehicle.department} ${vehicle.profile ?? 'klimaklok-v1'}`;
    const group = groups.get(key) ?? { roster, deviceIds: [] };
    group.deviceIds.push(vehicle.deviceId);
    groups.set(key, group);
  }
  for (const { roster, deviceIds } of groups.values()) {
    const order = (id: string) => hash32(`${id} shift`);
    [...deviceIds].sort((a, b) => order(a) - order(b) || a.localeCompare(b)).forEach((deviceId, index) => duties.set(deviceId, roster.rotation[index % roster.rotation.length]));
  }
  return duties;
}
