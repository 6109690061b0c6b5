import { StreamableFile } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { Workbook } from 'exceljs';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const REPORT_LOCALES = ['en', 'nb'] as const;
/** `en`: the API's field names and full precision; `nb`: for Norwegian Excel (see toCsv and toXlsx). */
export type ReportLocale = (typeof REPORT_LOCALES)[number];

/** One column of a tabular report: `key` is a dotted path into the row (`energy.petrolL`). */
export interface ReportColumn {
  key: string;
  /** Header in the file; the key when omitted, so that files keep the API's field names. */
  header?: string;
  /** Header for locale=nb; columns without one (ids and other technical fields) are left out of nb files. */
  nb?: string;
  /** Decimals shown for a number: nb CSV rounds to them, XLSX formats with them (the cell keeps full precision). */
  digits?: number;
}

/** What the cover sheet of an XLSX file says the report is of. */
export interface ReportCover {
  organization: string;
  grantReference: string;
  period: string;
  factorSet: string;
}

/**
 * A report as a table: what CSV and XLSX files are made of. `about` states how the figures were
 * made (factor set version, boundary, grid method, period) and goes on its own sheet in XLSX;
 * a CSV file has only rows, so a report that must state those in CSV adds them as columns.
 */
export interface ReportTable {
  /** File name without extension, e.g. `emissions-2019-01-01-2020-01-01`. */
  name: string;
  columns: ReportColumn[];
  rows: object[];
  about?: Record<string, string | number | boolean | null>;
  cover?: ReportCover;
}

type Cell = string | number | boolean | null;

export function cellOf(row: object, key: string): Cell {
  let value: unknown = row;
  for (const part of key.split('.')) {
    if (value === null || value === undefined || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * RFC 4180 CSV (csv-stringify): comma separated, CRLF line ends, quotes doubled, a text's own line
 * breaks quoted (quote_record_delimiter: else only a full CRLF would be), full-precision
 * numbers with a decimal point, true/false. Text that begins with =, +, -, @ or a tab gets a
 * leading ' (escape_formulas): spreadsheets would evaluate it as a formula. Numbers stay numbers.
 */
export function toCsv(table: ReportTable): string {
  const header = table.columns.map((c) => c.header ?? c.key);
  const rows = table.rows.map((row) => table.columns.map((c) => cellOf(row, c.key)));
  return stringify([header, ...rows], { record_delimiter: 'windows', quote_record_delimiter: true, escape_formulas: true, cast: { boolean: (value) => String(value) } });
}

/**
 * CSV for Norwegian Excel: a UTF-8 byte order mark (so that æøå read right), `;` between fields,
 * Norwegian headers without the technical columns, numbers rounded as the dashboard shows them and
 * written with a decimal comma, yes/no as ja/nei.
 */
export function toNbCsv(table: ReportTable): string {
  const columns = nbColumns(table);
  const header = columns.map((c) => c.nb);
  const rows = table.rows.map((row) => columns.map((c) => cellOf(row, c.key)));
  return stringify([header, ...rows], {
    bom: true,
    delimiter: ';',
    record_delimiter: 'windows',
    quote_record_delimiter: true,
    escape_formulas: true,
    cast: {
      boolean: (value) => (value ? 'ja' : 'nei'),
      // A figure rounded to nothing shows as 0, not -0.
      number: (value, context) =>
        value
          .toFixed(columns[context.index!].digits ?? 0)
          .replace('.', ',')
          .replace(/^-(0(,0*)?)$/, '$1'),
    },
  });
}

/** The columns of an nb file; a table without Norwegian headers keeps all its columns and API names. */
function nbColumns(table: ReportTable): Array<ReportColumn & { nb: string }> {
  if (!table.columns.some((c) => c.nb !== undefined)) return table.columns.map((c) => ({ ...c, nb: c.header ?? c.key }));
  return table.columns.filter((c): c is ReportColumn & { nb: string } => c.nb !== undefined);
}

const SHEETS: Record<ReportLocale, { cover: string; report: string; coverRows: Array<[keyof ReportCover | 'generatedAt', string]> }> = {
  en: {
    cover: 'cover',
    report: 'report',
    coverRows: [
      ['organization', 'Organization'],
      ['grantReference', 'Grant reference'],
      ['period', 'Period'],
      ['factorSet', 'Factor set'],
      ['generatedAt', 'Generated at'],
    ],
  },
  nb: {
    cover: 'forside',
    report: 'rapport',
    coverRows: [
      ['organization', 'Organisasjon'],
      ['grantReference', 'Tilskuddsreferanse'],
      ['period', 'Periode'],
      ['factorSet', 'Faktorsett'],
      ['generatedAt', 'Laget'],
    ],
  },
};

/** An Excel number format with the column's decimals: "#,##0.0" (Excel shows it in the reader's own separators). */
function numberFormat(digits: number): string {
  return digits > 0 ? `#,##0.${'0'.repeat(digits)}` : '#,##0';
}

/**
 * An XLSX workbook: a cover sheet when the table has one (what the report is of and when it was
 * made), the rows on a `report` sheet (`rapport` for nb, with Norwegian headers) as numbers with
 * the column's number format, the header frozen and bold and columns wide enough for their
 * header, and `about` on an `about` sheet.
 */
export async function toXlsx(table: ReportTable, locale: ReportLocale = 'en', generatedAt = new Date()): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'Klimaklok Fleet Monitor';
  const names = SHEETS[locale];
  if (table.cover) {
    const cover = workbook.addWorksheet(names.cover);
    cover.columns = [{ width: 22 }, { width: 60 }];
    for (const [field, label] of names.coverRows) {
      const value = field === 'generatedAt' ? generatedAt.toISOString() : table.cover[field];
      cover.addRow([label, value]).getCell(1).font = { bold: true };
    }
  }
  const columns: ReportColumn[] = locale === 'nb' ? nbColumns(table) : table.columns;
  const header = (c: ReportColumn) => (locale === 'nb' ? c.nb! : (c.header ?? c.key));
  const sheet = workbook.addWorksheet(names.report, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: header(c),
    key: c.key,
    width: Math.min(40, Math.max(12, header(c).length + 2)),
    style: c.digits === undefined ? {} : { numFmt: numberFormat(c.digits) },
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(columns.map((c) => cellOf(row, c.key)));
  if (table.about) {
    const about = workbook.addWorksheet('about');
    about.columns = [
      { header: 'field', key: 'field', width: 24 },
      { header: 'value', key: 'value', width: 40 },
    ];
    for (const [field, value] of Object.entries(table.about)) about.addRow([field, value]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const CONTENT_TYPES: Record<Exclude<ReportFormat, 'json'>, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * The file answer of a report endpoint for `format=csv|xlsx`; controllers return it as is
 * (`json` stays the controller's own object, so this is only called for files).
 */
export async function reportFile(table: ReportTable, format: Exclude<ReportFormat, 'json'>, locale: ReportLocale = 'en'): Promise<StreamableFile> {
  const csv = () => (locale === 'nb' ? toNbCsv(table) : toCsv(table));
  const body = format === 'csv' ? Buffer.from(csv(), 'utf8') : await toXlsx(table, locale);
  const fileName = `${table.name.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
  return new StreamableFile(body, { type: CONTENT_TYPES[format], disposition: `attachment; filename="${fileName}"`, length: body.length });
}
