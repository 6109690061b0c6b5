import { Client } from 'pg';

/**
 * The demo's climate budget (issue 19), seeded once: a budget for the whole fleet for 2019-2030
 * stepping down from the 2019 actual in whole tonnes (2019 included so that the climate view, which opens on the
 * latest well-covered year, shows it), the passenger cars' 2019 target (-25 % against 2018) and
 * all passenger cars zero-emission by 2025, a depot per department where its vehicles' trips
 * most often end (a charger of 11 kW), and a plan replacing the remaining fossil vehicles over
 * the next twelve months by the catalogue's first candidate of their class.
 */
export async function seedClimateBudget(baseUrl: string, adminKey: string, databaseUrl: string, say: (line: string) => void): Promise<void> {
  // The demo reads a few fields of the API's answers: each call names just those.
  const call = async <T = unknown>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> => {
    const response = await fetch(`${baseUrl}/api/v1/${path}`, {
      method,
      headers: { Authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  if ((await call<unknown[]>('GET', 'emissions/budget-sets')).length > 0) return say('climate budget already seeded');
  const year2019 = await call<{ total: { actualKg: number } }>('GET', 'reports/emissions?from=2019-01-01&to=2020-01-01');
  // Whole tonnes, as a budget is written, rounded up: the 2019 budget is met, not missed by a few kg.
  const base = Math.ceil(year2019.total.actualKg / 1000) * 1000;
  await call('POST', 'emissions/budget-sets', {
    name: 'Klimabudsjett 2019-2030 (demo)',
    description: 'Demo: the 2019 actual in whole tonnes, then 10 %, 30 % and 50 % below it.',
    budgets: [
      { scope: 'fleet', fromYear: 2019, toYear: 2019, boundary: 'ttw', annualKg: base },
      { scope: 'fleet', fromYear: 2020, toYear: 2022, boundary: 'ttw', annualKg: Math.round(base * 0.9) },
      { scope: 'fleet', fromYear: 2023, toYear: 2025, boundary: 'ttw', annualKg: Math.round(base * 0.7) },
      { scope: 'fleet', fromYear: 2026, toYear: 2030, boundary: 'ttw', annualKg: Math.round(base * 0.5) },
    ],
    targets: [
      { name: 'Personbiler -25 % i 2019 mot 2018', scope: 'vehicleClass:passenger_car', kind: 'change', year: 2019, baseYear: 2018, changePct: -25 },
      { name: 'Alle personbiler nullutslipp innen 2025', scope: 'vehicleClass:passenger_car', kind: 'zeroEmissionShare', year: 2025, shareBasis: 'vehicles', sharePct: 100 },
    ],
  });
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    // Where each department's trips most often end (to about 100 m), else the town hall in Sandvika.
    const { rows } = await sql.query(
      `SELECT o.id, o.name, coalesce(p.lat, 59.8898) AS lat, coalesce(p.lon, 10.5255) AS lon
         FROM organizations o
         LEFT JOIN LATERAL (
           SELECT round(t.end_lat::numeric, 3)::float8 AS lat, round(t.end_lon::numeric, 3)::float8 AS lon
             FROM trips t JOIN vehicles v ON v.id = t.vehicle_id
            WHERE v.department_id = o.id AND t.end_lat IS NOT NULL
            GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1
         ) p ON true
        WHERE o.kind = 'municipal_department' AND NOT EXISTS (SELECT 1 FROM depots d WHERE d.organization_id = o.id)`,
    );
    for (const row of rows) await call('POST', 'electrification/depots', { organizationId: row.id, name: `${row.name} – depot`, lat: row.lat, lon: row.lon, radiusM: 300, chargerKw: 11 });
  } finally {
    await sql.end();
  }
  const candidates = await call<Array<{ id: string; vehicleClass: string }>>('GET', 'electrification/candidates');
  const vehicles = (await call<{ items: Array<{ id: string; vehicleClass: string; energyCarrier: string; inServiceTo: string | null }> }>('GET', 'vehicles?limit=1000')).items;
  const today = new Date().toISOString().slice(0, 10);
  const fossil = vehicles.filter((v) => ['petrol', 'diesel', 'hvo', 'cng', 'plugin_hybrid'].includes(v.energyCarrier) && (v.inServiceTo === null || v.inServiceTo >= today));
  const items = fossil.flatMap((v, i) => {
    const candidate = candidates.find((c) => c.vehicleClass === v.vehicleClass);
    if (!candidate) return [];
    const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + (i % 12), 1)).toISOString().slice(0, 7);
    return [{ vehicleId: v.id, month, candidateId: candidate.id }];
  });
  if (items.length > 0) await call('POST', 'electrification/plans', { name: 'Erstatt de fossile kjøretøyene (demo)', items });
  say(`climate budget seeded: budgets 2019-2030 from the 2019 actual rounded up to ${base} kg, ${items.length} vehicles in the plan`);
}
