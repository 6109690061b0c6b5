import { ConfigError, loadConfig, redactUrl } from './app-config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect([...config.roles]).toEqual(['api', 'ingest', 'worker', 'ocpp']);
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/klimaklok');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.mqttUrl).toBe('mqtt://127.0.0.1:1883');
    expect(config.mqttTopicRoot).toBe('fleet');
    expect(config.adminApiKey).toBeUndefined();
    expect(config.reportTimeZone).toBe('Europe/Oslo');
    expect(config.ingest.concurrentFlushes).toBe(2);
    expect(config.apiRateLimitPerMinute).toBe(600);
    expect(config.ingest.inHandBytesPerConnection).toBe(1_048_576);
  });

  it('gives the charging defaults (24 h session timeout, 15 min heartbeat) and takes other durations', () => {
    expect(loadConfig({}).charging).toEqual({ sessionTimeoutMs: 86_400_000, heartbeatMs: 900_000 });
    expect(loadConfig({ SESSION_TIMEOUT: '36h', CHARGEPOINT_HEARTBEAT: '5m' }).charging).toEqual({ sessionTimeoutMs: 129_600_000, heartbeatMs: 300_000 });
  });

  it('takes a subset of roles', () => {
    expect([...loadConfig({ APP_ROLES: 'ingest, worker' }).roles]).toEqual(['ingest', 'worker']);
  });

  it.each([
    ['APP_ROLES', 'api,scheduler'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'http://localhost'],
    ['MQTT_TOPIC_ROOT', 'fleet/#'],
    ['LOG_LEVEL', 'loud'],
    ['REPORT_TIME_ZONE', 'Europe/Atlantis'],
    ['ADMIN_API_KEY', 'short'],
    ['INGEST_CONCURRENT_FLUSHES', '0'],
    ['API_RATE_LIMIT_PER_MINUTE', '-1'],
    ['INGEST_IN_FLIGHT_BYTES_PER_CONNECTION', '1000'],
    ['SESSION_TIMEOUT', '24 hours'],
    ['SESSION_TIMEOUT', '0s'],
    ['SESSION_TIMEOUT', '30d'],
    ['CHARGEPOINT_HEARTBEAT', '15'],
    ['CHARGEPOINT_HEARTBEAT', '2d'],
    ['MQTT_USERNAME', 'bad:name'],
    ['DEVICE_CREDENTIAL_SECRET', 'too-short'],
    ['APP_ROLES', ' , '],
    ['WORKER_CONCURRENCY', '2.5'],
    ['HTTP_BODY_LIMIT', '5 gigabytes'],
    ['MQTT_URL', 'http://broker'],
    ['INGEST_INSTANCE_ID', 'host name'],
    ['MAP_TILE_URL', 'https://tiles.example.org/{z}/{x}.png'],
    ['TEST_CLOCK_OFFSET', 'soon'],
  ])('rejects %s=%s naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^${variable}: `));
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a whole number, got "eighty"'],
    [{ PORT: '70000' }, 'PORT: must be between 0 and 65535, got 70000'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL: protocol must be one of postgres, postgresql, got "mysql:"'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL: not a valid URL (expected e.g. postgres://postgres@127.0.0.1:5432/klimaklok)'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ SESSION_TIMEOUT: '30d' }, 'SESSION_TIMEOUT: must be between 60s and 1209600s, got 2592000s'],
    [{ APP_ROLES: 'api,scheduler' }, 'APP_ROLES: must list any of api, ingest, worker, ocpp, got "api,scheduler"'],
    [{ REPORT_TIME_ZONE: 'Europe/Atlantis' }, 'REPORT_TIME_ZONE: unknown IANA time zone "Europe/Atlantis"'],
  ])('says in one line what is wrong: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message.split(': ')[0], message.slice(message.indexOf(': ') + 2)));
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports the first wrong variable only, in one line', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/^PORT: must be a whole number, got "x"$/);
  });

  it('treats a blank variable as unset, and trims values', () => {
    expect(loadConfig({ PORT: '  ', LOG_LEVEL: ' debug ', WORKER_CONCURRENCY: ' 7 ' })).toMatchObject({ port: 3000, logLevel: 'debug', worker: { concurrency: 7 } });
  });

  it('never echoes the admin key in its error', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'secret' })).toThrow(/^ADMIN_API_KEY: must be at least 32/);
    expect(() => loadConfig({ ADMIN_API_KEY: 'secret' })).not.toThrow(/secret/);
  });
});

describe('broker credentials', () => {
  it('are off by default', () => {
    expect(loadConfig({}).mqttCredentials).toBeUndefined();
    expect(loadConfig({}).deviceCredentialSecret).toBeUndefined();
  });

  it('take the service login and the device secret', () => {
    const config = loadConfig({ MQTT_USERNAME: ' klimaklok-service ', MQTT_PASSWORD: 'pa ss:word', DEVICE_CREDENTIAL_SECRET: 'x'.repeat(32) });
    expect(config.mqttCredentials).toEqual({ username: 'klimaklok-service', password: 'pa ss:word' });
    expect(config.deviceCredentialSecret).toBe('x'.repeat(32));
  });

  it('want the password with the user name and never echo the secrets', () => {
    expect(() => loadConfig({ MQTT_PASSWORD: 'hunter2' })).toThrow(/^MQTT_USERNAME: must be set when MQTT_PASSWORD is set$/);
    expect(() => loadConfig({ MQTT_USERNAME: 'svc' })).toThrow(/^MQTT_PASSWORD: must be set when MQTT_USERNAME is set$/);
    expect(() => loadConfig({ MQTT_USERNAME: 'svc', MQTT_PASSWORD: 'a\nb' })).toThrow(/^MQTT_PASSWORD: must not contain line breaks$/);
    expect(() => loadConfig({ DEVICE_CREDENTIAL_SECRET: 'hunter2' })).not.toThrow(/hunter2/);
  });
});

describe('alerts and deliveries', () => {
  it('have defaults: evaluation every 30 s, 8 attempts from 30 s, no mail, deliveries checked every 5 min and caught up within 7 days', () => {
    expect(loadConfig({}).alerts).toEqual({
      evaluateEveryMs: 30_000,
      deliveryAttempts: 8,
      retryDelayMs: 30_000,
      smtpUrl: undefined,
      mailFrom: 'klimaklok@localhost',
      climateOfficeMail: undefined,
      deliveryCheckEveryMs: 300_000,
      deliveryCatchUpMs: 7 * 86_400_000,
    });
  });

  it('take an SMTP server with a login and never echo it in an error', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://mailer:s3cret@smtp.example.org:465' }).alerts.smtpUrl).toBe('smtps://mailer:s3cret@smtp.example.org:465');
    expect(() => loadConfig({ SMTP_URL: 'http://mailer:s3cret@smtp.example.org' })).toThrow(/^SMTP_URL: protocol must be one of smtp, smtps/);
    expect(() => loadConfig({ SMTP_URL: 'http://mailer:s3cret@smtp.example.org' })).not.toThrow(/s3cret/);
  });

  it.each([
    ['ALERT_MAIL_FROM', 'not an address'],
    ['CLIMATE_OFFICE_MAIL', 'klima'],
    ['ALERT_EVALUATION_INTERVAL', '10ms'],
    ['ALERT_DELIVERY_ATTEMPTS', '0'],
    ['DELIVERY_CATCH_UP', '90d'],
  ])('reject %s=%s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('TEST_CLOCK_OFFSET', () => {
  it('is 0 unless set, and takes a signed duration', () => {
    expect(loadConfig({}).testClockOffsetMs).toBe(0);
    expect(loadConfig({ TEST_CLOCK_OFFSET: '-2d' }).testClockOffsetMs).toBe(-2 * 86_400_000);
    expect(loadConfig({ TEST_CLOCK_OFFSET: '+1500ms' }).testClockOffsetMs).toBe(1500);
    expect(loadConfig({ TEST_CLOCK_OFFSET: '90m', NODE_ENV: 'test' }).testClockOffsetMs).toBe(5_400_000);
  });

  it('is refused when NODE_ENV is production, and when it is no duration', () => {
    expect(() => loadConfig({ TEST_CLOCK_OFFSET: '-2d', NODE_ENV: 'production' })).toThrow(/^TEST_CLOCK_OFFSET: is for tests and demos only/);
    expect(() => loadConfig({ TEST_CLOCK_OFFSET: '2 days' })).toThrow(/^TEST_CLOCK_OFFSET: must be a signed duration/);
    expect(() => loadConfig({ TEST_CLOCK_OFFSET: '40000d' })).toThrow(/^TEST_CLOCK_OFFSET: must be at most/);
  });
});

describe('redactUrl', () => {
  it('hides a password', () => {
    expect(redactUrl('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
});

describe('map tiles', () => {
  it('are off by default: the dashboard draws on a plain background', () => {
    expect(loadConfig({}).map).toEqual({ tileUrl: undefined, attribution: '', maxZoom: 18 });
  });

  it('take a tile URL template with its attribution and deepest zoom', () => {
    const url = 'https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png';
    expect(loadConfig({ MAP_TILE_URL: url, MAP_TILE_ATTRIBUTION: '© Kartverket', MAP_TILE_MAX_ZOOM: '17' }).map).toEqual({ tileUrl: url, attribution: '© Kartverket', maxZoom: 17 });
    expect(loadConfig({ MAP_TILE_URL: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png' }).map.tileUrl).toBe('https://{s}.tiles.example.org/{z}/{x}/{y}.png');
  });

  it('refuse a URL without the tile coordinates or not over HTTP', () => {
    expect(() => loadConfig({ MAP_TILE_URL: 'https://tiles.example.org/{z}/{x}.png' })).toThrow(/MAP_TILE_URL: must contain \{y\}/);
    expect(() => loadConfig({ MAP_TILE_URL: 'ftp://tiles.example.org/{z}/{x}/{y}.png' })).toThrow(/MAP_TILE_URL: protocol must be http or https/);
    expect(() => loadConfig({ MAP_TILE_MAX_ZOOM: '30' })).toThrow(/MAP_TILE_MAX_ZOOM/);
  });
});
