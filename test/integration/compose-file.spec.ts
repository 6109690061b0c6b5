import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { loadConfig } from '../../src/platform/config/app-config';

/**
 * docker-compose.yml cannot be started here (no container engine), so it is held to what can be
 * checked: the Compose specification's JSON schema (test/support/schemas/compose-spec.json, from
 * github.com/compose-spec/compose-spec schema/compose-spec.json at 170098ba, Apache-2.0), what a
 * server needs of it, and the variables: every variable the service reads is in the README's
 * configuration table and nothing else is, and every variable the compose file gives the service
 * is one of them with a value the service accepts.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const compose = load(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as Compose;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
}

describe('docker-compose.yml', () => {
  const validate = (() => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'test', 'support', 'schemas', 'compose-spec.json'), 'utf8'));
    // Draft 7 by its https address, which Ajv knows by the http one.
    delete schema.$schema;
    return new Ajv({ strict: true, strictTypes: false, allowUnionTypes: true, allErrors: true }).compile(schema);
  })();

  it('is valid by the Compose specification', () => {
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('is refused by the same schema when broken, so the check above can fail', () => {
    const broken = JSON.parse(JSON.stringify(compose));
    broken.services.app.ports = 3000;
    broken.services.app.restart_policy = 'always';
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/app/ports', '/services/app']));
  });

  it('publishes only the broker and the service (HTTP and OCPP), without trust authentication or an empty secret', () => {
    const published = Object.entries(compose.services).flatMap(([name, service]) => (service.ports ?? []).map((port) => `${name} ${port}`));
    expect(published.sort()).toEqual(['app 3000:3000', 'app 9220:9220', 'mosquitto 1883:1883']);
    const postgres = compose.services.postgres.environment!;
    expect(postgres.POSTGRES_HOST_AUTH_METHOD).toBeUndefined();
    // `${VAR:?message}`: Compose stops with the message when the variable is unset or empty.
    expect(postgres.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?.+\}$/);
    const app = compose.services.app.environment!;
    expect(app.ADMIN_API_KEY).toMatch(/^\$\{ADMIN_API_KEY:\?.+\}$/);
    expect(app.ID_TAG_SECRET).toMatch(/^\$\{ID_TAG_SECRET:\?.+\}$/);
    expect(app.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
  });

  it('has a health check for every service that keeps running, and starts the service once its dependencies are healthy', () => {
    const running = Object.entries(compose.services).filter(([name]) => name !== 'migrate');
    expect(running.filter(([, service]) => !service.healthcheck?.test?.length).map(([name]) => name)).toEqual([]);
    expect(compose.services.app.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
      mosquitto: { condition: 'service_healthy' },
    });
    expect(compose.services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // The broker runs the project's config, whose persistence location is the volume.
    expect(readFileSync(path.join(ROOT, 'config', 'mosquitto.conf'), 'utf8')).toMatch(/^persistence true$[\s\S]*^persistence_location \/var\/lib\/mosquitto\/$/m);
    expect(compose.services.mosquitto.command!.join(' ')).toContain('-c /mosquitto/config/mosquitto.conf');
  });
});

describe('configuration variables', () => {
  /** The variables loadConfig reads, whatever their value: it is given an environment that records each lookup. */
  const read = (() => {
    const names = new Set<string>();
    loadConfig(new Proxy({} as Record<string, string | undefined>, { get: (_target, name) => (typeof name === 'string' && names.add(name), undefined) }));
    return names;
  })();

  /** The names in the first column of the README's configuration table. */
  const documented = (() => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 1));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    return new Set(rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1])));
  })();

  it('every variable the service reads is in the README, and the README names no other', () => {
    expect(read.size).toBeGreaterThan(20);
    expect([...read].sort()).toEqual([...documented].sort());
  });

  it('the compose file gives the service only documented variables, with values it accepts', () => {
    for (const name of ['app', 'migrate']) {
      const environment = compose.services[name].environment!;
      expect({ name, unknown: Object.keys(environment).filter((variable) => !documented.has(variable)) }).toEqual({ name, unknown: [] });
      // As Compose would substitute them: a required variable set (to a long secret), a default taken.
      const substituted = Object.fromEntries(
        Object.entries(environment).map(([variable, value]) => [variable, value.replace(/\$\{(\w+):\?[^}]*\}/g, 'Secret0123456789abcdefghijklmnopqrstuv').replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
      );
      expect(() => loadConfig(substituted)).not.toThrow();
    }
  });
});
