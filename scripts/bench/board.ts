/**
 * `npm run bench:board`: the fleet managers' board (map and list) in headless Chromium with
 * 2,000 live vehicles fed by the simulator at about 200 samples per second. In its own
 * database, Redis prefix and Mosquitto: registers the vehicles (and writes them as a fleet file
 * for the simulator), starts the service (all roles) and the simulator live (`--speed 60 --rate
 * 200`, so that its clock runs through a working day and the rate is the limit), waits until
 * the fleet is online, then opens the board and prints
 *   - time to interactive: from the navigation's start until the list's rows and the map's
 *     markers are there (issue 20's target: within 1.5 s), of each of --loads loads (each in a
 *     new browser context: no cache, no open connection) and their median (the machine is shared
 *     and noisy: one load's figure swings by half a second),
 *   - long tasks (PerformanceObserver 'longtask') during 30 s of updates: count, the longest,
 *     and how many over 200 ms (target: none),
 *   - the samples per second the service stored meanwhile.
 * Figures are printed, not asserted.
 *
 *   npm run bench:board -- [--vehicles 2000] [--rate 200] [--seconds 30] [--loads 5] [--screenshot FILE.png] [--profile FILE.cpuprofile] [--trace FILE.json]
 *
 * The browser is started, shows a page of text (not of this site: nothing of it is cached or
 * connected) and is left to finish its own start-up work before the navigation: a user's browser
 * is running already when they open the board. In a trace, a fresh browser's first page paid
 * ~300 ms for fonts and the browser's own UI (its omnibox renderer took 2.5 s of CPU). The
 * page's resource timings (start, first byte, end of each request) are logged, to tell the
 * service's share of the time to interactive from the page's.
 *
 * --screenshot saves the board as it stands at the end (docs/screenshots/fleet-map-2000.png).
 * --profile records the page's CPU profile (Chrome DevTools Protocol) from navigation to the end,
 * saves it (open it in DevTools' Performance panel) and prints the functions with the most self time.
 * --trace records a Chrome trace from navigation to interactive (open it in DevTools' Performance
 * panel or Perfetto) and prints the page's main-thread time by event (script, style, layout, paint).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { chromium } from 'playwright-core';
import { RunningBroker, freePort, startBroker } from '../lib/mosquitto';
import { SERVICE_NODE_FLAGS } from '../lib/service-node-flags';
import { BenchDatabase, orgNumber } from './lib/bench-database';
import { track } from './lib/children';
import { cleanUpOnEveryExit } from './lib/cleanup';
import { UsageError, readCommandLine, wholeNumber } from '../../src/cli/command-line';
import { SIMULATED_TIME_ZONE } from '../simulator/oslo-time';

const ROOT = path.join(__dirname, '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const log = (line: string) => process.stderr.write(`[bench:board] ${line}\n`);

const USAGE = `Usage: npm run bench:board -- [options]

  --vehicles N          live vehicles (default 2000)
  --rate N              simulator messages per second at most (default 200)
  --seconds N           length of the measured updates (default 30)
  --loads N             times the board is opened, each in a new browser context (default 5; the median is the figure)
  --screenshot FILE     save the board as it stands at the end (PNG)
  --profile FILE        record the page's CPU profile (.cpuprofile) and print where its time went
  --trace FILE          record a Chrome trace until interactive (.json) and print the page's main-thread time by event
  -h, --help            this text
`;

/** Simulated seconds per real second. */
const SPEED = 60;

/**
 * The simulator's --catch-up that starts its clock at a weekday's 08:00 in Oslo, at least ten
 * hours back: the measured minutes (an hour of simulated time each) fall in working hours, when
 * the fleet drives and has 200 samples/s to send. Started from the real clock's time of day, a
 * run at night stored 73 samples/s.
 */
function catchUpToMorning(now: DateTime): number {
  let start = now.setZone(SIMULATED_TIME_ZONE).set({ hour: 8, minute: 0, second: 0, millisecond: 0 });
  while (now.diff(start, 'hours').hours < 10 || start.weekday > 5) start = start.minus({ days: 1 });
  return Math.round(now.diff(start, 'minutes').minutes / (SPEED - 1));
}

const CARRIERS = ['electricity', 'diesel', 'petrol', 'electricity', 'diesel'] as const;

async function main() {
  const { values } = readCommandLine(
    process.argv.slice(2),
    {
      vehicles: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      screenshot: { type: 'string' },
      profile: { type: 'string' },
      trace: { type: 'string' },
      loads: { type: 'string' },
    },
    USAGE,
  );
  const vehicles = wholeNumber('vehicles', values.vehicles, 2000);
  const rate = wholeNumber('rate', values.rate, 200);
  const seconds = wholeNumber('seconds', values.seconds, 30);
  const loadsWanted = Math.max(1, wholeNumber('loads', values.loads, 5));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `bench-board-${randomBytes(4).toString('hex')}`;
  let database: BenchDatabase | undefined;
  let broker: RunningBroker | undefined;
  const cleanup = cleanUpOnEveryExit({ name: 'the bench', log, brokers: () => (broker ? [broker] : []), database: () => database, redisUrl, redisPrefix });

  database = await BenchDatabase.create(process.env.DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432');
  broker = await startBroker();
  const department = orgNumber(97_400_000 + (process.pid % 100_000));
  const fleet = Array.from({ length: vehicles }, (_, i) => ({
    registration: `BD${String(i).padStart(5, '0')}`,
    vehicleClass: i % 7 === 0 ? 'van' : 'passenger_car',
    energyCarrier: CARRIERS[i % CARRIERS.length],
    department,
    inServiceFrom: '2020-01-01',
    nominalConsumptionPerKm: CARRIERS[i % CARRIERS.length] === 'electricity' ? 0.18 : 0.07,
    deviceId: `board-${String(i).padStart(5, '0')}`,
  }));
  const folder = mkdtempSync(path.join(tmpdir(), 'bench-board-'));
  const fleetFile = path.join(folder, 'fleet.json');
  writeFileSync(fleetFile, JSON.stringify({ organizations: [{ orgNumber: department, name: 'Bench department', kind: 'municipal_department' }], vehicles: fleet }));
  const [org] = (await database.sql.query<{ id: string }>(`INSERT INTO organizations (org_number, name, kind) VALUES ($1, 'Bench department', 'municipal_department') RETURNING id`, [department]))
    .rows;
  await database.sql.query(
    `INSERT INTO vehicles (registration, vehicle_class, energy_carrier, department_id, in_service_from, device_id)
     SELECT r, c, e, $1, DATE '2020-01-01', d FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(r, c, e, d)`,
    [org.id, fleet.map((v) => v.registration), fleet.map((v) => v.vehicleClass), fleet.map((v) => v.energyCarrier), fleet.map((v) => v.deviceId)],
  );
  await database.sql.query(`INSERT INTO depots (organization_id, name, lat, lon, radius_m, charger_kw) VALUES ($1, 'Bench depot', 59.9, 10.55, 200, 22)`, [org.id]);

  const port = await freePort();
  const adminKey = randomBytes(24).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const service = track(
    spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(ROOT, 'dist', 'src', 'main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: database.url,
        MQTT_URL: broker.url,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: redisPrefix,
        ADMIN_API_KEY: adminKey,
        PORT: String(port),
        OCPP_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  await until(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 60_000, 'the service to be ready');
  log(`service up at ${base}; starting the simulator (${vehicles} vehicles, --rate ${rate})`);
  const simulator: ChildProcess = track(
    spawn(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'scripts', 'simulator', 'main.js'),
        '--fleet',
        fleetFile,
        '--url',
        broker.url,
        '--speed',
        String(SPEED),
        '--catch-up',
        String(catchUpToMorning(DateTime.now())),
        '--rate',
        String(rate),
      ],
      {
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    ),
  );
  simulator.once('exit', (code) => code && log(`simulator exited with ${code}`));
  const online = async () => Number((await database!.sql.query<{ n: string }>(`SELECT count(*) AS n FROM vehicle_state WHERE status = 'online' AND lat IS NOT NULL`)).rows[0].n);
  let shown = 0;
  await until(
    async () => {
      const count = await online();
      if (Date.now() - shown > 30_000) log(`${count} of ${vehicles} vehicles online with a position, ${await database!.count()} samples stored`);
      if (Date.now() - shown > 30_000) shown = Date.now();
      return count >= vehicles * 0.9;
    },
    600_000,
    `${vehicles} vehicles online`,
  );
  log(`${await online()} vehicles online with a position`);

  // The tag finds the browser's processes in /proc, for their CPU time (wall-clock figures swing with the machine's load).
  const tag = `--bench-board=${randomBytes(4).toString('hex')}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', tag] });
  try {
    /** Opens the board in a new context (no cache, no connection of an earlier load) and reads the load's figures. */
    const openBoard = async (record: boolean) => {
      const context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: { width: 1440, height: 900 } });
      // Signed in already (the key in session storage, as after the sign-in form), and long tasks recorded from the first script on.
      await context.addInitScript(`sessionStorage.setItem('klimaklok.apiKey', ${JSON.stringify(adminKey)});
        window.__longTasks = [];
        new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longTasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });`);
      const page = await context.newPage();
      // A browser in use has shown pages before (fonts found and loaded, text shaped): one page of text, not of this site.
      await page.setContent('<p style="font-family: system-ui, sans-serif">Klimaklok 0123456789 <b>fleet</b></p><table><tr><th>a</th><td>b</td></tr></table>');
      await browserIdle(tag);
      const cdp = record && values.profile ? await context.newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await cdp.send('Profiler.start');
      }
      if (record && values.trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'loading'] });
      const cpuAtStart = browserCpuSeconds(tag);
      await page.goto(`${base}/#/fleet`);
      const interactiveMs = Number(
        // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
        await (await page.waitForFunction(interactiveAt, undefined, { timeout: 60_000, polling: 'raf' })).jsonValue(),
      );
      const cpuLoading = browserCpuSeconds(tag) - cpuAtStart;
      if (record && values.trace) {
        const trace = await browser.stopTracing();
        writeFileSync(values.trace, trace);
        process.stdout.write(mainThreadTimes(JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }));
      }
      const loadTasks = (await page.evaluate('window.__longTasks.splice(0)')) as number[];
      // When the board's data had arrived: the rest of the time to interactive is the page's own work.
      const dataAt = Math.round(Number(await page.evaluate(`Math.max(0, ...performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/vehicles')).map((e) => e.responseEnd))`)));
      const timeline = (await page.evaluate(
        `performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation')).map((e) => [e.name.replace(/^https?:\\/\\/[^/]+/, ''), Math.round(e.startTime), Math.round(e.responseStart), Math.round(e.responseEnd), e.transferSize])`,
      )) as Array<[string, number, number, number, number]>;
      log(`timeline (ms: start, first byte, end, bytes): ${timeline.map(([name, start, first, end, size]) => `${name} ${start}/${first}/${end} ${size}`).join('; ')}`);
      log(`load: interactive ${Math.round(interactiveMs)} ms, the list there at ${dataAt} ms, longest loading task ${longest(loadTasks)} ms, browser CPU ${cpuLoading.toFixed(2)} s`);
      return { context, page, cdp, interactiveMs, dataAt, loadTasks, cpuLoading };
    };
    const loads: Array<Awaited<ReturnType<typeof openBoard>>> = [];
    for (let run = 1; run < loadsWanted; run++) {
      const load = await openBoard(false);
      loads.push(load);
      await load.context.close();
    }
    const last = await openBoard(true);
    loads.push(last);
    const { page, cdp } = last;
    const layer = page.locator('canvas.vehicle-layer');
    const svgMarkers = await page.locator('path.vehicle-marker').count();
    const markers = svgMarkers || Number(await layer.getAttribute('data-vehicles'));
    const clusters = svgMarkers ? 0 : Number(await layer.getAttribute('data-clusters'));
    const rows = await page.locator('tbody tr').count();
    const storedBefore = await database.count();
    const cpuBefore = browserCpuSeconds(tag);
    const started = Date.now();
    await page.waitForTimeout(seconds * 1000);
    const storedRate = ((await database.count()) - storedBefore) / ((Date.now() - started) / 1000);
    const tasks = (await page.evaluate('window.__longTasks.splice(0)')) as number[];
    const cpuUpdating = browserCpuSeconds(tag) - cpuBefore;
    if (values.screenshot) await page.screenshot({ path: values.screenshot });
    if (cdp) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
      writeFileSync(values.profile!, JSON.stringify(profile));
      process.stdout.write(selfTimes(profile));
    }
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)];
    const each = (figure: (load: (typeof loads)[number]) => number) => loads.map((load) => Math.round(figure(load))).join(', ');
    process.stdout.write(
      `board: ${rows} rows rendered, ${markers} vehicles on the map (${clusters} clusters); interactive after navigation: median ${Math.round(median(loads.map((load) => load.interactiveMs)))} ms of ${loads.length} loads (${each((load) => load.interactiveMs)}; target <= 1500); ` +
        `the vehicle list there at ${each((load) => load.dataAt)} ms; longest loading task ${each((load) => longest(load.loadTasks))} ms; browser CPU until interactive ${loads.map((load) => load.cpuLoading.toFixed(2)).join(', ')} s\n` +
        `board: ${seconds} s of updates at ${storedRate.toFixed(0)} samples/s stored: ${tasks.length} long tasks, longest ${longest(tasks)} ms, ${tasks.filter((d) => d > 200).length} over 200 ms (target 0); browser CPU ${cpuUpdating.toFixed(2)} s\n`,
    );
  } finally {
    await browser.close();
    void service;
    await cleanup();
  }
}

const longest = (list: number[]) => (list.length ? Math.round(Math.max(...list)) : 0);

/** In the page: performance.now() once the list has rows and the map its vehicles, else 0 (this file has no DOM types). */
function interactiveAt(): number {
  const page = globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } }; performance: { now(): number } };
  const drawn = page.document.querySelectorAll('canvas.vehicle-layer:not([data-vehicles="0"])[data-vehicles]').length > 0;
  // path.vehicle-marker: the board before the canvas layer (one SVG marker per vehicle), for a comparison.
  const ready = page.document.querySelectorAll('tbody tr').length > 0 && (drawn || page.document.querySelectorAll('path.vehicle-marker').length > 0);
  return ready ? page.performance.now() : 0;
}

/** Waits (at most 20 s) until the browser used under 5 % of one core for half a second; returns the ms waited. */
async function browserIdle(tag: string): Promise<number> {
  const started = Date.now();
  let last = browserCpuSeconds(tag);
  while (Date.now() - started < 20_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = browserCpuSeconds(tag);
    if (now - last < 0.025) break;
    last = now;
  }
  return Date.now() - started;
}

/** CPU seconds (user and system) used so far by the browser launched with `tag` and all its descendants (Linux /proc). */
function browserCpuSeconds(tag: string): number {
  const processes = new Map<number, { parent: number; seconds: number }>();
  let root = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, …, utime (14th field), stime (15th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(Number(entry), { parent: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
      if (!root && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(tag)) root = Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid: number): boolean => pid === root || (pid > 1 && processes.has(pid) && inTree(processes.get(pid)!.parent));
  return [...processes].filter(([pid]) => root && inTree(pid)).reduce((sum, [, one]) => sum + one.seconds, 0);
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples: number[];
  timeDeltas: number[];
}

/** The functions with the most self time in a CPU profile (ms), the page's own and the browser's (GC, program, idle). */
function selfTimes(profile: CpuProfile, top = 12): string {
  const byNode = new Map<number, number>();
  profile.samples.forEach((node, i) => byNode.set(node, (byNode.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const name = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${frame.url.split('/').pop()}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + (byNode.get(node.id) ?? 0));
  }
  const busy = [...byFunction].filter(([name]) => name !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
  return (
    `profile: ${Math.round(busy)} ms busy of ${Math.round(profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000)} ms; most self time:\n` +
    [...byFunction]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `  ${String(Math.round(ms)).padStart(6)} ms  ${name}\n`)
      .join('')
  );
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { url?: string; functionName?: string } };
}

/** The renderer main thread's top-level tasks' work from a Chrome trace, by event name (ms). */
function mainThreadTimes(trace: { traceEvents: TraceEvent[] }, top = 20): string {
  const events = trace.traceEvents;
  // The page's renderer: the main thread that worked most (the blank page's renderer did next to nothing).
  const busy = (thread: TraceEvent) => events.filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.name === 'RunTask').reduce((sum, e) => sum + (e.dur ?? 0), 0);
  const main = events
    .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((thread) => ({ thread, busy: busy(thread) }))
    .sort((a, b) => b.busy - a.busy)[0]?.thread;
  if (!main) return 'trace: no renderer main thread\n';
  const own = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const byName = new Map<string, number>();
  // Self time: an event's duration less its children's (events nest by time on one thread).
  const stack: Array<{ end: number; key: string }> = [];
  for (const event of own) {
    while (stack.length && stack[stack.length - 1].end <= event.ts) stack.pop();
    const url = event.args?.data?.url ? ` ${event.args.data.url.split('/').pop()}` : '';
    const key = `${event.name}${url}`;
    if (stack.length) byName.set(stack[stack.length - 1].key, (byName.get(stack[stack.length - 1].key) ?? 0) - event.dur! / 1000);
    byName.set(key, (byName.get(key) ?? 0) + event.dur! / 1000);
    stack.push({ end: event.ts + event.dur!, key });
  }
  const first = own[0]?.ts ?? 0;
  const tasks = own.filter((e) => e.name === 'RunTask' && e.dur! > 50_000).map((e) => `${Math.round((e.ts - first) / 1000)}+${Math.round(e.dur! / 1000)}`);
  return (
    `trace: main thread self time by event (ms), tasks over 50 ms (start+duration): ${tasks.join(', ')}\n` +
    [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `  ${String(Math.round(ms)).padStart(6)} ms  ${name}\n`)
      .join('')
  );
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  log(`failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
