import { setFlagsFromString } from 'node:v8';
import { Role } from '../platform/config/app-config';

/**
 * How far V8 lets the old generation grow past what survived the last full collection, in a
 * process that runs the `ocpp` role: 100 % (a factor of 2) instead of V8's own choice, which on a
 * machine with more than a few GiB of memory goes up to a factor of 4 whenever the program
 * allocates faster than the collector marks.
 *
 * Why: every charge point has one call in hand until its batch commits, so with thousands
 * connected nearly everything a call allocates outlives two scavenges and is promoted; the old
 * generation then fills with the garbage of answered calls at tens of MiB a second. With 5,000
 * charge points about 150 MiB survive a full collection, and V8's factor of 4 let the heap reach
 * about 600 MiB before the next one: bench:ocpp peaked at an RSS of 760-785 MiB, over its 768 MiB
 * target. With this setting the same bench peaked at 483-484 MiB for the same rate and CPU time
 * (docs/ocpp.md, "As implemented", Memory).
 *
 * V8 reads the flag at every full collection, so setting it once the roles are known (before the
 * application is built) is enough (the bench peaked at 484 MiB with it set here and at 483 MiB with
 * `node --heap-growing-percent=100`, which would apply it to every role).
 */
export const OCPP_HEAP_GROWING_PERCENT = 100;

export function limitHeapGrowthForOcpp(roles: ReadonlySet<Role>): boolean {
  if (!roles.has('ocpp')) return false;
  setFlagsFromString(`--heap-growing-percent=${OCPP_HEAP_GROWING_PERCENT}`);
  return true;
}
