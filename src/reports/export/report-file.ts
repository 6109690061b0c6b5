import { StreamableFile } from '@nestjs/common';
import { Workbook } from 'exceljs';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One column of a tabular report: `key` is a dotted path into the row (`energy.petrolL`). */
export interface ReportColumn {
  key: string;
  /** Header in the file; the key when omitted, so that files keep the API's field names. */
  header?: string;
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

/** RFC 4180 CSV: comma separated, CRLF line ends, quotes doubled, full-precision numbers with a decimal point. */
export function toCsv(table: ReportTable): string {
  const line = (cells: Cell[]) => cells.map(csvField).join(',') + '\r\n';
  return line(table.columns.map((c) => c.header ?? c.key)) + table.rows.map((row) => line(table.columns.map((c) => cellOf(row, c.key)))).join('');
}

function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  // A leading =, +, - or @ makes spreadsheets evaluate text as a formula; numbers are written as numbers.
  const guarded = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** An XLSX workbook: the rows on a `report` sheet (numbers as numbers), `about` on an `about` sheet. */
export async function toXlsx(table: ReportTable): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'Klimaklok Fleet Monitor';
  const sheet = workbook.addWorksheet('report', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c) => ({ header: c.header ?? c.key, key: c.key, width: Math.max(12, (c.header ?? c.key).length + 2) }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(table.columns.map((c) => cellOf(row, c.key)));
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
export async function reportFile(table: ReportTable, format: Exclude<ReportFormat, 'json'>): Promise<StreamableFile> {
  const body = format === 'csv' ? Buffer.from(toCsv(table), 'utf8') : await toXlsx(table);
  const fileName = `${table.name.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
  return new StreamableFile(body, { type: CONTENT_TYPES[format], disposition: `attachment; filename="${fileName}"`, length: body.length });
}
