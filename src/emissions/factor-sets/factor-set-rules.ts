import { FieldError } from '../../platform/http/validation';
import { FOSSIL_REFERENCE_CARRIERS } from '../domain/carriers';
import { ClassConsumptionDto, FactorRecordDto } from './factor-set.dto';

/**
 * Rules across records that field validation cannot see: one record per carrier, year and grid
 * method; a grid method exactly on electricity; no tank-to-wheel CO2 for electricity and
 * hydrogen; one fossil reference per class, of a fossil fuel the set has factors for.
 */
export function factorSetErrors(factors: FactorRecordDto[], consumption: ClassConsumptionDto[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  factors.forEach((record, i) => {
    const field = `factors.${i}`;
    if (record.carrier === 'electricity' && !record.gridMethod) errors.push({ field: `${field}.gridMethod`, message: 'electricity needs a gridMethod (location or market)' });
    if (record.carrier !== 'electricity' && record.gridMethod) errors.push({ field: `${field}.gridMethod`, message: 'only electricity has a gridMethod' });
    if ((record.carrier === 'electricity' || record.carrier === 'hydrogen') && record.ttwKgPerUnit !== 0) {
      errors.push({ field: `${field}.ttwKgPerUnit`, message: `${record.carrier} has no tank-to-wheel emissions: ttwKgPerUnit must be 0` });
    }
    const key = `${record.carrier}/${record.year}/${record.gridMethod ?? ''}`;
    if (seen.has(key)) errors.push({ field, message: `duplicate of factors.${seen.get(key)} (${record.carrier} ${record.year}${record.gridMethod ? ` ${record.gridMethod}` : ''})` });
    else seen.set(key, i);
  });
  const references = new Map<string, number>();
  const pairs = new Map<string, number>();
  consumption.forEach((row, i) => {
    const field = `consumption.${i}`;
    const pair = `${row.vehicleClass}/${row.carrier}`;
    if (pairs.has(pair)) errors.push({ field, message: `duplicate of consumption.${pairs.get(pair)} (${row.vehicleClass}, ${row.carrier})` });
    else pairs.set(pair, i);
    if (!row.reference) return;
    if (references.has(row.vehicleClass)) errors.push({ field: `${field}.reference`, message: `${row.vehicleClass} already has its reference in consumption.${references.get(row.vehicleClass)}` });
    else references.set(row.vehicleClass, i);
    if (!FOSSIL_REFERENCE_CARRIERS.has(row.carrier)) errors.push({ field: `${field}.carrier`, message: `a fossil reference burns ${[...FOSSIL_REFERENCE_CARRIERS].join(', ')}` });
    else if (!factors.some((f) => f.carrier === row.carrier)) errors.push({ field: `${field}.carrier`, message: `no factor for the reference fuel ${row.carrier} in this set` });
  });
  return errors;
}
