import { ProfileDeviceEntry } from '../../registry/devices/device-directory.service';
import { evccRoot, profileTopicFilters } from '../../registry/devices/publisher-topics';
import { evccTopic } from './evcc/evcc';
import { ovmsDefaultTopic, ovmsPrefixedTopic } from './ovms-v3/ovms-v3';
import { teslamateTopic } from './teslamate/teslamate';

/** Where a delivery of a publisher's own topic goes. */
export type ProfileRoute =
  /** One value of a one-value-per-topic publisher's device (OVMS metric, TeslaMate key, evcc loadpoint key). */
  | { profile: 'ovms-v3' | 'teslamate' | 'evcc'; identity: string; key: string }
  /** evcc's `<root>/status` or `<root>/updated`: about every loadpoint under the root. */
  | { profile: 'evcc'; root: string; site: 'status' | 'updated' }
  /** A whole message of a JSON publisher. */
  | { profile: 'owntracks' | 'teltonika-json'; identity: string };

export const deviceKey = (profile: string, identity: string) => `${profile} ${identity}`;

const IMEI_TOPIC = /^([0-9]{15})\/data$/;
const OWNTRACKS_TOPIC = /^owntracks\/([^/]+)\/([^/]+)(\/.*)?$/;

/**
 * The registered devices of the publisher profiles, as the ingest needs them per delivery: which
 * device a topic belongs to, and which topic filters to subscribe. Topics in a profile's default
 * layout resolve without the registry (an unregistered identity is then an `unknown_device`);
 * configured prefixes, topics and evcc roots are known from the devices that use them.
 */
export class ProfileRoutes {
  private readonly devices = new Map<string, ProfileDeviceEntry>();
  /** OVMS prefixes other than the default, to the identity. */
  private readonly ovmsPrefixes = new Map<string, string>();
  /** Teltonika topics other than `<imei>/data`, to the IMEI. */
  private readonly teltonikaTopics = new Map<string, string>();
  /** evcc roots in use (longest first, so that a root inside another's tree is found first). */
  private readonly evccRoots: string[];
  /** The topic filters of the devices the routes were made with (a device added later comes with the next reload). */
  private readonly filters: string[];

  constructor(entries: ProfileDeviceEntry[]) {
    const roots = new Set<string>();
    for (const entry of entries) {
      this.devices.set(deviceKey(entry.profile, entry.identity), entry);
      if (entry.profile === 'ovms-v3' && entry.topic) this.ovmsPrefixes.set(entry.topic, entry.identity);
      else if (entry.profile === 'teltonika-json' && entry.topic) this.teltonikaTopics.set(entry.topic, entry.identity);
      else if (entry.profile === 'evcc') roots.add(evccRoot(entry.identity));
    }
    this.evccRoots = [...roots].sort((a, b) => b.length - a.length);
    this.filters = profileTopicFilters(entries);
  }

  /** A device found in PostgreSQL before the next reload (its topic filters come with that reload). */
  add(entry: ProfileDeviceEntry): void {
    this.devices.set(deviceKey(entry.profile, entry.identity), entry);
  }

  find(profile: string, identity: string): ProfileDeviceEntry | undefined {
    return this.devices.get(deviceKey(profile, identity));
  }

  /** The devices of one evcc root (its status and update time concern all of them). */
  evccDevices(root: string): ProfileDeviceEntry[] {
    return [...this.devices.values()].filter((entry) => entry.profile === 'evcc' && evccRoot(entry.identity) === root);
  }

  get size(): number {
    return this.devices.size;
  }

  /** Topic filters (without the `$share/<group>/` part) of every profile in use. */
  subscriptions(): string[] {
    return this.filters;
  }

  /** The profile, device identity and key of a topic; undefined when it is no profile's topic. */
  route(topic: string): ProfileRoute | undefined {
    if (topic.startsWith('teslamate/')) {
      const parsed = teslamateTopic(topic);
      return parsed && { profile: 'teslamate', ...parsed };
    }
    if (topic.startsWith('owntracks/')) {
      const match = OWNTRACKS_TOPIC.exec(topic);
      return match ? { profile: 'owntracks', identity: `${match[1]}/${match[2]}` } : undefined;
    }
    const teltonika = this.teltonikaTopics.get(topic) ?? IMEI_TOPIC.exec(topic)?.[1];
    if (teltonika) return { profile: 'teltonika-json', identity: teltonika };
    const prefixed = ovmsPrefixedTopic(topic);
    if (prefixed && this.ovmsPrefixes.has(prefixed.prefix)) return { profile: 'ovms-v3', identity: this.ovmsPrefixes.get(prefixed.prefix)!, key: prefixed.metric };
    const ovms = ovmsDefaultTopic(topic);
    if (ovms) return { profile: 'ovms-v3', identity: ovms.identity, key: ovms.metric };
    for (const root of [...this.evccRoots, 'evcc']) {
      if (!topic.startsWith(`${root}/`)) continue;
      const parsed = evccTopic(root, topic.slice(root.length + 1));
      if (parsed.kind === 'loadpoint') return { profile: 'evcc', identity: parsed.identity, key: parsed.key };
      if (parsed.kind === 'status' || parsed.kind === 'updated') return { profile: 'evcc', root, site: parsed.kind };
      return undefined;
    }
    return undefined;
  }
}
