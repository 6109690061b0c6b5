import { Workbook } from 'exceljs';
import { ReportTable, toCsv, toXlsx } from './report-file';

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
    expect(toCsv(table)).toBe(
      'group,distanceKm,petrolL,note\r\n' +
        'passenger_car,1234.5678901,93.8,"says ""hi"", then\nleaves"\r\n' +
        `"'=HYPERLINK(""x"")",0,,\r\n`,
    );
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
