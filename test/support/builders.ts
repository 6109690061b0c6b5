/** Test data builders: valid by default, override what the test is about. */
let sequence = 0;
const next = () => ++sequence;

/** A valid Norwegian organization number, different on every call (mod-11 check digit). */
export function anOrgNumber(): string {
  for (;;) {
    const body = String(10_000_000 + ((next() * 7919 + Math.floor(Math.random() * 1e6)) % 89_999_999)).slice(0, 8);
    const weights = [3, 2, 7, 6, 5, 4, 3, 2];
    const remainder = weights.reduce((sum, weight, i) => sum + weight * Number(body[i]), 0) % 11;
    const check = remainder === 0 ? 0 : 11 - remainder;
    if (check !== 10) return body + check;
  }
}

export function anOrganization(overrides: Record<string, unknown> = {}) {
  return { orgNumber: anOrgNumber(), name: `Department ${next()}`, kind: 'municipal_department', ...overrides };
}

export function aCooperative(overrides: Record<string, unknown> = {}) {
  return anOrganization({ name: `Borettslag ${next()}`, kind: 'housing_cooperative', ...overrides });
}

export function aVehicle(departmentId: string, overrides: Record<string, unknown> = {}) {
  const n = next();
  return {
    registration: `EL${String(10000 + n).slice(-5)}`,
    vehicleClass: 'passenger_car',
    energyCarrier: 'electricity',
    departmentId,
    inServiceFrom: '2019-03-01',
    nominalConsumptionPerKm: 0.18,
    deviceId: `veh-test-${n}`,
    ...overrides,
  };
}

export function aSubsidyGrant(organizationId: string, overrides: Record<string, unknown> = {}) {
  return {
    reference: `BK-TEST-${next()}`,
    organizationId,
    grantedOn: '2019-03-15',
    amountNok: 20000,
    chargePointCount: 4,
    followUpEndsOn: '2022-03-15',
    ...overrides,
  };
}

export function aChargePoint(organizationId: string, overrides: Record<string, unknown> = {}) {
  const n = next();
  return {
    name: `Garasje ${n}`,
    organizationId,
    connectors: 2,
    maxKw: 7.4,
    commissionedOn: '2019-05-20',
    deviceId: `cp-test-${n}`,
    ...overrides,
  };
}
