import { Workbook } from 'exceljs';
import { ReportTable, toCsv, toNbCsv, toXlsx } from './report-file';

const table: ReportTable = {
  name: 'emissions',
  columns: [{ key: 'group' }, { key: 'distanceKm' }, { key: 'energy.petrolL', header: 'petrolL' }, { key: 'note' }],
  rows: [
    { group: 'passenger_car', distanceKm: 1234.5678901, energy: { petrolL: 93.8 }, note: 'says "hi", then\nleaves' },
    { group: '=HYPERLINK("x")', distanceKm: 0, energy: null, note: null },
  ],
  about: { factorSetVersion: 3, boundary: 'ttw' },
};

describe('report files', () => {
  it('writes CSV with API field names, full precision, quoting and empty cells for missing values', () => {
    expect(toCsv(table)).toBe('group,distanceKm,petrolL,note\r\n' + 'passenger_car,1234.5678901,93.8,"says ""hi"", then\nleaves"\r\n' + `"'=HYPERLINK(""x"")",0,,\r\n`);
  });

  it('writes booleans as true/false and negative numbers unguarded', () => {
    const flags: ReportTable = {
      name: 'f',
      columns: [{ key: 'ok' }, { key: 'delta' }, { key: 'note' }],
      rows: [
        { ok: true, delta: -1.5, note: '+47 999' },
        { ok: false, delta: 0, note: '' },
      ],
    };
    expect(toCsv(flags)).toBe("ok,delta,note\r\ntrue,-1.5,'+47 999\r\nfalse,0,\r\n");
  });

  it('writes XLSX that a reader opens with the same figures as numbers, and an about sheet', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await toXlsx(table)) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('report')!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'group', 'distanceKm', 'petrolL', 'note']);
    expect(sheet.getRow(2).getCell(2).value).toBe(1234.5678901);
    expect(sheet.getRow(2).getCell(3).value).toBe(93.8);
    expect(sheet.rowCount).toBe(3);
    const about = workbook.getWorksheet('about')!;
    expect(about.getRow(2).values).toEqual([undefined, 'factorSetVersion', 3]);
  });
});

describe('report files for Norwegian Excel (locale nb)', () => {
  const usage: ReportTable = {
    name: 'charging-usage',
    columns: [{ key: 'id' }, { key: 'name', nb: 'Ladepunkt' }, { key: 'energyKwh', nb: 'Energi (kWh)', digits: 1 }, { key: 'sessions', nb: 'Økter', digits: 0 }, { key: 'flag', nb: 'Flagg' }],
    rows: [
      { id: 'a1', name: 'plass 4; øst', energyKwh: 1925.0040000000004, sessions: 12, flag: true },
      { id: 'a2', name: 'plass 10', energyKwh: -0.04, sessions: 0, flag: false },
    ],
    cover: { organization: 'Øvre Åsen borettslag', grantReference: 'BK-1', period: '2019-01-01 – 2019-12-31', factorSet: '2019: 1.2 kg/kWh' },
  };

  it('writes a BOM, ; between fields, Norwegian headers without the ids, values rounded with a decimal comma', () => {
    expect(toNbCsv(usage)).toBe('\ufeffLadepunkt;Energi (kWh);Økter;Flagg\r\n"plass 4; øst";1925,0;12;ja\r\nplass 10;0,0;0;nei\r\n');
  });

  it('quotes only what ; and line ends need, guards formulas, and keeps negative figures as numbers', () => {
    const table: ReportTable = {
      name: 'x',
      columns: [
        { key: 'name', nb: 'Navn' },
        { key: 'kg', nb: 'kg', digits: 1 },
      ],
      rows: [
        { name: 'Sande, Nils', kg: -12.34 },
        { name: '-1 oppføring', kg: null },
        { name: 'to\nlinjer', kg: 2 },
      ],
    };
    expect(toNbCsv(table)).toBe('\ufeffNavn;kg\r\nSande, Nils;-12,3\r\n\'-1 oppføring;\r\n"to\nlinjer";2,0\r\n');
  });

  it('writes XLSX with a cover sheet, Norwegian headers, number formats, a frozen header and full-precision cells', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await toXlsx(usage, 'nb', new Date('2026-12-03T12:00:00Z'))) as unknown as ArrayBuffer);
    const cover = workbook.getWorksheet('forside')!;
    expect(cover.getRow(1).values).toEqual([undefined, 'Organisasjon', 'Øvre Åsen borettslag']);
    expect(cover.getRow(5).values).toEqual([undefined, 'Laget', '2026-12-03T12:00:00.000Z']);
    const sheet = workbook.getWorksheet('rapport')!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'Ladepunkt', 'Energi (kWh)', 'Økter', 'Flagg']);
    expect(sheet.getRow(2).getCell(2).value).toBe(1925.0040000000004);
    expect(sheet.getRow(2).getCell(2).numFmt).toBe('#,##0.0');
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('#,##0');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(2).width).toBeGreaterThanOrEqual(14);
  });
});
