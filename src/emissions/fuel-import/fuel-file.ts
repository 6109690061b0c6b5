import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { FieldError } from '../../platform/http/validation';
import { normalizeRegistration } from '../../platform/validation/validators';
import { Carrier, UNIT_OF } from '../domain/carriers';
import { localToInstant } from '../../platform/time/local-time';

/** A file that cannot be read as a fuel-card export at all (answered with 400). */
export class FuelFileError extends Error {}

export interface FuelRow {
  /** Line in the file, from 1 (the header is line 1). */
  line: number;
  transactionId: string;
  occurredAt: Date;
  registration: string;
  product: string;
  carrier: Carrier;
  quantity: number;
  unit: 'L' | 'kg' | 'kWh';
}

export interface RejectedRow {
  line: number;
  transactionId: string | null;
  errors: FieldError[];
}

const COLUMNS = ['transactionId', 'dateTime', 'registration', 'product', 'quantity', 'unit'] as const;
type Column = (typeof COLUMNS)[number];

/** Header names as fuel-card providers write them (compared lower-case, letters and digits only). */
const HEADER_ALIASES: Record<Column, string[]> = {
  transactionId: ['transactionid', 'transaction', 'transactionno', 'transactionnumber', 'txid', 'id', 'transaksjonsid', 'transaksjonsnr', 'transaksjon'],
  dateTime: ['datetime', 'date', 'timestamp', 'time', 'transactiondate', 'transactiontime', 'dato', 'tidspunkt', 'datotid'],
  registration: ['registration', 'registrationnumber', 'reg', 'regnr', 'licenseplate', 'licenceplate', 'plate', 'kjennemerke', 'registreringsnummer'],
  product: ['product', 'productname', 'produkt', 'fuel', 'fueltype', 'drivstoff'],
  quantity: ['quantity', 'qty', 'volume', 'mengde', 'antall', 'volum'],
  unit: ['unit', 'enhet', 'uom'],
};

/** Products that are energy carriers; anything else (AdBlue, car wash) is rejected by name. */
const PRODUCTS: Record<string, Carrier> = {
  petrol: 'petrol',
  bensin: 'petrol',
  gasoline: 'petrol',
  blyfri: 'petrol',
  blyfri95: 'petrol',
  blyfri98: 'petrol',
  bensin95: 'petrol',
  bensin98: 'petrol',
  '95': 'petrol',
  '98': 'petrol',
  e5: 'petrol',
  e10: 'petrol',
  diesel: 'diesel',
  autodiesel: 'diesel',
  b7: 'diesel',
  dieselb7: 'diesel',
  hvo: 'hvo',
  hvo100: 'hvo',
  biogas: 'biogas',
  cbg: 'biogas',
  lbg: 'biogas',
  cng: 'cng',
  naturgass: 'cng',
  naturalgas: 'cng',
  hydrogen: 'hydrogen',
  h2: 'hydrogen',
  hydrogen700: 'hydrogen',
  hydrogenh2: 'hydrogen',
};

const UNITS: Record<string, 'L' | 'kg' | 'kWh'> = { l: 'L', ltr: 'L', liter: 'L', litre: 'L', litres: 'L', liters: 'L', kg: 'kg', kwh: 'kWh' };

const key = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');

/**
 * Parses a fuel-card CSV export: a header naming the columns transaction id, date-time,
 * registration, product, quantity and unit (common English and Norwegian names; any order; extra
 * columns ignored), separated by comma, semicolon or tab. With `;` or tab as separator a decimal
 * comma is accepted. Date-times with an offset (RFC 3339) are taken as given; without one
 * (`2019-03-04 07:45`, `04.03.2019 07:45`) they are wall-clock time in the reporting time zone.
 * Every row is checked on its own: good rows come back parsed, bad ones with all their faults.
 */
export function parseFuelFile(text: string, timeZone: string): { rows: FuelRow[]; rejected: RejectedRow[] } {
  const body = text.replace(/^\uFEFF/, '');
  const headerLine = body.split(/\r?\n/, 1)[0] ?? '';
  if (!headerLine.trim()) throw new FuelFileError('The file is empty: expected a header line and transactions');
  const delimiter = [';', '\t', ','].map((d) => [d, headerLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  let records: string[][];
  try {
    records = parse(body, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new FuelFileError(`Not readable as CSV: ${(error as Error).message}`);
  }
  const header = records[0].map(key);
  const index = {} as Record<Column, number>;
  const missing: Column[] = [];
  for (const column of COLUMNS) {
    const at = header.findIndex((name) => HEADER_ALIASES[column].includes(name));
    if (at < 0) missing.push(column);
    index[column] = at;
  }
  if (missing.length > 0) throw new FuelFileError(`Missing column(s) ${missing.join(', ')} in the header "${headerLine.trim()}"`);

  const rows: FuelRow[] = [];
  const rejected: RejectedRow[] = [];
  records.slice(1).forEach((record, i) => {
    const line = i + 2;
    const cell = (column: Column) => (record[index[column]] ?? '').trim();
    const errors: FieldError[] = [];
    const transactionId = cell('transactionId');
    if (!transactionId) errors.push({ field: 'transactionId', message: 'transaction id is missing' });
    else if (transactionId.length > 100) errors.push({ field: 'transactionId', message: 'transaction id is longer than 100 characters' });
    const occurredAt = parseDateTime(cell('dateTime'), timeZone);
    if (!occurredAt) errors.push({ field: 'dateTime', message: `"${cell('dateTime')}" is not a date-time (2019-03-04T07:45:00+01:00, 2019-03-04 07:45 or 04.03.2019 07:45)` });
    const registration = normalizeRegistration(cell('registration'));
    if (!/^[A-Z0-9]{2,12}$/.test(registration)) errors.push({ field: 'registration', message: `"${cell('registration')}" is not a registration` });
    const product = cell('product');
    const carrier = PRODUCTS[key(product)];
    if (!carrier) errors.push({ field: 'product', message: `"${product}" is not a fuel (known: petrol, diesel, HVO, biogas, CNG, hydrogen and their common names)` });
    const quantityText = delimiter === ',' ? cell('quantity') : cell('quantity').replace(/^(-?\d+),(\d+)$/, '$1.$2');
    const quantity = /^-?\d+(\.\d+)?$/.test(quantityText) ? Number(quantityText) : NaN;
    if (!Number.isFinite(quantity)) errors.push({ field: 'quantity', message: `"${cell('quantity')}" is not a number` });
    else if (quantity <= 0) errors.push({ field: 'quantity', message: 'quantity must be positive (corrections and refunds are not imported)' });
    const unit = UNITS[key(cell('unit'))];
    if (!unit) errors.push({ field: 'unit', message: `"${cell('unit')}" is not a unit (L, kg)` });
    else if (carrier && UNIT_OF[carrier] !== unit) errors.push({ field: 'unit', message: `${carrier} is measured in ${UNIT_OF[carrier]}, not ${unit}` });
    if (errors.length > 0) rejected.push({ line, transactionId: transactionId || null, errors });
    else rows.push({ line, transactionId, occurredAt: occurredAt!, registration, product, carrier, quantity, unit: unit! });
  });
  return { rows, rejected };
}

export function parseDateTime(text: string, timeZone: string): Date | null {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  const norwegian = /^(\d{2})\.(\d{2})\.(\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  const parts = iso ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]] : norwegian ? [norwegian[3], norwegian[2], norwegian[1], norwegian[4], norwegian[5], norwegian[6]] : null;
  if (!parts) return null;
  const [year, month, day, hour, minute, second] = parts.map((p) => Number(p ?? 0));
  // Refuses 31.02., 24:00 and the like rather than rolling them over.
  if (!DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: 'utc' }).isValid) return null;
  return localToInstant(year, month, day, hour, minute, second, timeZone);
}
