export const API_ROLES = ['admin', 'fleet_manager', 'climate_office', 'cooperative'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** Who is calling: resolved from the API key on every request under /api. */
export interface Principal {
  keyId: string;
  role: ApiRole;
  /** Set for `cooperative` keys: the one organization whose data they may see. */
  organizationId: string | null;
}
