// Every migration, in order. Append new ones at the end; never edit one that has landed.
import { RegistryAndApiKeys1764300000000 } from './1764300000000-registry-and-api-keys';
import { TelemetryRawStores1764400000000 } from './1764400000000-telemetry-raw-stores';
import { FleetDerived1764500000000 } from './1764500000000-fleet-derived';
import { Emissions1764600000000 } from './1764600000000-emissions';
import { Charging1764700000000 } from './1764700000000-charging';
import { VehicleCounterIndexes1764800000000 } from './1764800000000-vehicle-counter-indexes';
import { AuditLog1764900000000 } from './1764900000000-audit-log';
import { PartitionsWithoutBlocking1765000000000 } from './1765000000000-partitions-without-blocking';
import { ConcurrentPartitionCreation1766000000000 } from './1766000000000-concurrent-partition-creation';
import { DeadLetterKeysAndReplay1766300000000 } from './1766300000000-dead-letter-keys-and-replay';
import { CounterCoverage1767100000000 } from './1767100000000-counter-coverage';
import { ConnectionEventTime1767150000000 } from './1767150000000-connection-event-time';
import { RetiredVehicleStatus1767160000000 } from './1767160000000-retired-vehicle-status';
import { Ocpp1767200000000 } from './1767200000000-ocpp';
import { DeviceProfiles1767300000000 } from './1767300000000-device-profiles';
import { ClimateBudget1767400000000 } from './1767400000000-climate-budget';
import { AlertsAndDeliveries1767500000000 } from './1767500000000-alerts-and-deliveries';

export const migrations = [
  RegistryAndApiKeys1764300000000,
  TelemetryRawStores1764400000000,
  FleetDerived1764500000000,
  Emissions1764600000000,
  Charging1764700000000,
  VehicleCounterIndexes1764800000000,
  AuditLog1764900000000,
  PartitionsWithoutBlocking1765000000000,
  ConcurrentPartitionCreation1766000000000,
  DeadLetterKeysAndReplay1766300000000,
  CounterCoverage1767100000000,
  ConnectionEventTime1767150000000,
  RetiredVehicleStatus1767160000000,
  Ocpp1767200000000,
  DeviceProfiles1767300000000,
  ClimateBudget1767400000000,
  AlertsAndDeliveries1767500000000,
];
