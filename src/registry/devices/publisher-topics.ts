import { ProfileDeviceEntry } from './device-directory.repository';
import { PublisherProfile } from './device-profiles';

/**
 * Where the publishers of the device profiles publish (docs/device-profiles.md), as the ingest
 * subscribes to it and as the broker's ACL grants it. One place, so that the service's read grant
 * always covers what the ingest subscribes.
 */

/** evcc's root: the identity without its loadpoint number (`depot/evcc/1` -> `depot/evcc`). */
export const evccRoot = (identity: string) => identity.slice(0, identity.lastIndexOf('/'));

/** Topic filters (without `$share/<group>/`) of every profile the devices use. */
export function profileTopicFilters(entries: ProfileDeviceEntry[]): string[] {
  const filters = new Set<string>();
  for (const entry of entries) {
    switch (entry.profile) {
      case 'teslamate':
        filters.add('teslamate/#');
        break;
      case 'owntracks':
        filters.add('owntracks/#');
        break;
      case 'ovms-v3':
        filters.add(entry.topic ? `${entry.topic}metric/#` : 'ovms/#');
        break;
      case 'teltonika-json':
        filters.add(entry.topic ?? '+/data');
        break;
      case 'evcc':
        filters.add(`${evccRoot(entry.identity)}/#`);
        break;
    }
  }
  return [...filters].sort();
}

/**
 * The broker login a device's publisher uses and the topics it may publish, as the publisher is
 * set up in the wild: one TeslaMate per namespace publishing for its cars; an OVMS module logging
 * in as the `<user>` of its topics; an OwnTracks phone as its `<user>`; a Teltonika tracker by its
 * IMEI; one evcc per root for all its loadpoints.
 */
export function publisherLogin(entry: ProfileDeviceEntry): { username: string; topics: string[] } {
  const identity = entry.identity;
  const [first, second] = identity.split('/');
  const logins: Record<PublisherProfile, () => { username: string; topics: string[] }> = {
    teslamate: () => {
      const slash = identity.lastIndexOf('/');
      const namespace = slash < 0 ? undefined : identity.slice(0, slash);
      const carId = identity.slice(slash + 1);
      return namespace === undefined ? { username: 'teslamate', topics: [`teslamate/cars/${carId}/#`] } : { username: `teslamate-${namespace}`, topics: [`teslamate/${namespace}/cars/${carId}/#`] };
    },
    'ovms-v3': () => ({ username: first, topics: [entry.topic ? `${entry.topic}#` : `ovms/${first}/${second}/#`] }),
    owntracks: () => ({ username: first, topics: [`owntracks/${first}/${second}`, `owntracks/${first}/${second}/#`] }),
    'teltonika-json': () => ({ username: identity, topics: [entry.topic ?? `${identity}/data`] }),
    evcc: () => ({ username: evccRoot(identity), topics: [`${evccRoot(identity)}/#`] }),
  };
  return logins[entry.profile]();
}
