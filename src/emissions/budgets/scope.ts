import { VEHICLE_CLASSES, VehicleClass } from '../domain/factor-set';
import { VehicleProfile } from '../domain/energy';

/** A budget's or target's scope: the whole fleet, a department, or a vehicle class. */
export type Scope = { kind: 'fleet'; key: '' } | { kind: 'department'; key: string } | { kind: 'vehicleClass'; key: VehicleClass };

/** `fleet`, `department:<uuid>` or `vehicleClass:<class>`; whether the department exists is checked against the registry. */
export const SCOPE_PATTERN = new RegExp(`^(fleet|department:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|vehicleClass:(${VEHICLE_CLASSES.join('|')}))$`);

export function parseScope(text: string): Scope | null {
  if (!SCOPE_PATTERN.test(text)) return null;
  if (text === 'fleet') return { kind: 'fleet', key: '' };
  const [kind, key] = text.split(':');
  return kind === 'department' ? { kind: 'department', key: key.toLowerCase() } : { kind: 'vehicleClass', key: key as VehicleClass };
}

export function scopeText(scope: { kind: string; key: string }): string {
  return scope.kind === 'fleet' ? 'fleet' : `${scope.kind}:${scope.key}`;
}

export function inScope(scope: Scope, vehicle: Pick<VehicleProfile, 'departmentId' | 'vehicleClass'>): boolean {
  if (scope.kind === 'fleet') return true;
  if (scope.kind === 'department') return vehicle.departmentId === scope.key;
  return vehicle.vehicleClass === scope.key;
}
