/**
 * One sign-in key per role for the demo's banner, each with the dashboard view it opens: a new
 * user tries the fleet manager's, a cooperative's and the climate office's view without writing
 * curl commands or looking up an organization's id. Keys are made through the API (as an admin
 * would) and kept in a file beside the admin key, so a restarted demo prints the same ones; a
 * kept key the service no longer accepts (another database) is replaced.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export type DemoRole = 'admin' | 'fleet_manager' | 'cooperative' | 'climate_office';

export interface DemoKey {
  role: DemoRole;
  /** Who signs in with it, for the banner. */
  who: string;
  key: string;
  /** The dashboard view the key opens once signed in. */
  url: string;
}

type Kept = Partial<Record<Exclude<DemoRole, 'admin'>, string>>;

export async function demoKeys(base: string, adminKey: string, file: string): Promise<DemoKey[]> {
  const kept: Kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Kept) : {};
  const api = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> | null };
  };
  const cooperative = await firstCooperative(api, adminKey);
  const ensure = async (role: Exclude<DemoRole, 'admin'>, organizationId?: string): Promise<string> => {
    const key = kept[role];
    if (key) {
      const me = await api('GET', '/api/v1/me', key);
      if (me.status === 200 && me.body?.role === role && (me.body?.organizationId ?? undefined) === organizationId) return key;
    }
    const created = await api('POST', '/api/v1/api-keys', adminKey, { name: `demo ${role.replace('_', ' ')}`, role, organizationId });
    if (created.status !== 201 || typeof created.body?.secret !== 'string') throw new Error(`could not make the demo's ${role} key: ${created.status} ${JSON.stringify(created.body)}`);
    return (kept[role] = created.body.secret);
  };
  const keys: DemoKey[] = [
    { role: 'admin', who: 'admin (every view)', key: adminKey, url: `${base}/` },
    { role: 'fleet_manager', who: 'fleet manager', key: await ensure('fleet_manager'), url: `${base}/#/fleet` },
    { role: 'cooperative', who: `cooperative ${cooperative.name}`, key: await ensure('cooperative', cooperative.id), url: `${base}/#/cooperative` },
    { role: 'climate_office', who: 'climate office', key: await ensure('climate_office'), url: `${base}/#/climate` },
  ];
  writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

/** The housing cooperative first by name: a stable choice across restarts. */
async function firstCooperative(
  api: (method: string, path: string, key: string) => Promise<{ status: number; body: Record<string, unknown> | null }>,
  adminKey: string,
): Promise<{ id: string; name: string }> {
  const { status, body } = await api('GET', '/api/v1/organizations?kind=housing_cooperative&limit=1000', adminKey);
  const items = ((body?.items as Array<{ id: string; name: string }> | undefined) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'nb'));
  if (status !== 200 || items.length === 0) throw new Error(`no housing cooperative to make a demo key for (${status})`);
  return items[0];
}
