/**
 * The dialects a registered device may publish in (shared/spec/device-profiles.md). `klimaklok-v1`
 * is the telemetry contract itself; every other profile names a publisher that exists in the wild
 * and the identity it uses in its own topics.
 */
export const DEVICE_PROFILES = ['klimaklok-v1', 'ovms-v3', 'teslamate', 'owntracks', 'evcc', 'teltonika-json'] as const;
export type DeviceProfile = (typeof DEVICE_PROFILES)[number];
export type PublisherProfile = Exclude<DeviceProfile, 'klimaklok-v1'>;

export const DEFAULT_PROFILE: DeviceProfile = 'klimaklok-v1';

/** One topic level of a publisher's own naming: anything MQTT allows in a level except wildcards. */
const LEVEL = '[^/+#\\s\\u0000]{1,64}';

interface ProfileRule {
  kind: 'vehicle' | 'charge_point';
  identity: RegExp;
  /** The identity's form as the 400 names it. */
  identityForm: string;
  /** The publisher's topic setting that a device may change from its default (OVMS prefix, Teltonika topic); absent: none. */
  topic?: { pattern: RegExp; form: string };
}

export const PROFILE_RULES: Record<PublisherProfile, ProfileRule> = {
  'ovms-v3': {
    kind: 'vehicle',
    identity: new RegExp(`^${LEVEL}/${LEVEL}$`),
    identityForm: '<user>/<vehicleId>',
    topic: { pattern: new RegExp(`^(${LEVEL}/)+$`), form: 'a topic prefix ending in "/" without wildcards (default ovms/<user>/<vehicleId>/)' },
  },
  teslamate: { kind: 'vehicle', identity: new RegExp(`^(${LEVEL}/)?[0-9]{1,9}$`), identityForm: '[<namespace>/]<carId> (carId a number)' },
  owntracks: { kind: 'vehicle', identity: new RegExp(`^${LEVEL}/${LEVEL}$`), identityForm: '<user>/<device>' },
  evcc: { kind: 'charge_point', identity: new RegExp(`^(${LEVEL}/)+[0-9]{1,3}$`), identityForm: '<root>/<loadpoint number>, e.g. evcc/1' },
  'teltonika-json': {
    kind: 'vehicle',
    identity: /^[0-9]{15}$/,
    identityForm: 'the 15-digit IMEI',
    topic: { pattern: new RegExp(`^${LEVEL}(/${LEVEL})*$`), form: 'a topic without wildcards (default <imei>/data)' },
  },
};

export interface ProfileSettings {
  profile?: DeviceProfile | null;
  profileIdentity?: string | null;
  profileTopic?: string | null;
}

/**
 * What is wrong with a device's profile settings for a device of this kind, as the field and the
 * message of a 400; undefined when they are right.
 */
export function profileProblem(settings: ProfileSettings, kind: 'vehicle' | 'charge_point'): { field: string; message: string } | undefined {
  const profile = settings.profile ?? DEFAULT_PROFILE;
  const identity = settings.profileIdentity ?? null;
  const topic = settings.profileTopic ?? null;
  if (profile === 'klimaklok-v1') {
    if (identity !== null) return { field: 'profileIdentity', message: 'klimaklok-v1 devices are identified by deviceId; profileIdentity is for the other profiles' };
    if (topic !== null) return { field: 'profileTopic', message: 'profileTopic is not used by klimaklok-v1' };
    return undefined;
  }
  const rule = PROFILE_RULES[profile];
  if (rule.kind !== kind) {
    return { field: 'profile', message: `${profile} devices are ${rule.kind === 'vehicle' ? 'vehicles' : 'charge points'}, register them there` };
  }
  if (identity === null || !rule.identity.test(identity)) return { field: 'profileIdentity', message: `identity for ${profile} must be ${rule.identityForm}` };
  if (topic !== null) {
    if (!rule.topic) return { field: 'profileTopic', message: `profileTopic is not used by ${profile}` };
    if (!rule.topic.pattern.test(topic)) return { field: 'profileTopic', message: `profileTopic for ${profile} must be ${rule.topic.form}` };
  }
  return undefined;
}
