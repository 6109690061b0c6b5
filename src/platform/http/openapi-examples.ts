/**
 * Example answers of reports in the OpenAPI document, keyed `ControllerClass.method`. Redocly
 * (npm run lint:openapi) checks each against its schema. The change report is the hand-computed
 * case of test/integration/emissions-change.spec.ts: four petrol cars in 2019, two of them replaced
 * by electric cars in 2020.
 */
const side = (year: number, vehicles: number, distanceKm: number, energy: Record<string, number>, kgByCarrier: Record<string, number>) => ({
  year,
  vehicles,
  distanceKm,
  energy,
  kgByCarrier,
  dataQuality: { primary: 1, modelled: 0, default: 0 },
  distanceDataQuality: { primary: 1, modelled: 0 },
  counterGaps: [],
  inServiceHours: vehicles * 8760,
  coverage: 0.98,
  periodEndsAt: `${year + 1}-01-01T00:00:00.000Z`,
  periodEnded: true,
  elapsedHours: 8760,
});

export const OPENAPI_EXAMPLES: Record<string, unknown> = {
  'EmissionReportsController.change': {
    factorSetVersion: 3,
    factorSetName: 'Miljødirektoratet 2024',
    boundary: 'ttw',
    gridMethod: 'location',
    timeZone: 'Europe/Oslo',
    lockedYears: [{ year: 2019, revision: 1, factorSetVersion: 3, lockedAt: '2020-03-01T09:00:00.000Z' }],
    vehicleClass: 'passenger_car',
    baseYear: 2019,
    year: 2020,
    baseKg: 72,
    currentKg: 39.9,
    changePct: -44.58,
    decomposition: { activityKg: -2.39, technologyKg: -27.58, factorKg: -2.13 },
    base: side(2019, 4, 450, { petrolL: 36 }, { petrol: 72 }),
    current: side(2020, 4, 430, { petrolL: 21, electricityKwh: 28 }, { petrol: 39.9, electricity: 0 }),
    flags: [],
  },
};
