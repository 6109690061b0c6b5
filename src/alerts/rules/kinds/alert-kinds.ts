import { AlertKind } from './alert-kind';
import { availabilityBelow } from './availability-below.kind';
import { budgetStatus } from './budget-status.kind';
import { connectorFault } from './connector-fault.kind';
import { deadLetterRate } from './dead-letter-rate.kind';
import { deviceSilent } from './device-silent.kind';
import { vehicleOffline } from './vehicle-offline.kind';

/** Every kind of alert rule. A new kind is one file and one line here. */
export const ALERT_KINDS: readonly AlertKind[] = [vehicleOffline, deviceSilent, connectorFault, availabilityBelow, deadLetterRate, budgetStatus];

export const ALERT_KIND_NAMES = ALERT_KINDS.map((kind) => kind.name);

export function alertKind(name: string): AlertKind | undefined {
  return ALERT_KINDS.find((kind) => kind.name === name);
}
