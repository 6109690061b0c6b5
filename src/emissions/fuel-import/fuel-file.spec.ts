import { FuelFileError, parseDateTime, parseFuelFile } from './fuel-file';
import { localDay, localToInstant } from '../../platform/time/local-time';

describe('fuel-card files', () => {
  it('reads a comma-separated export with RFC 3339 and local date-times', () => {
    const { rows, rejected } = parseFuelFile(
      'Transaction ID,Date-Time,Registration,Product,Quantity,Unit\n' + 'T1,2019-03-04T07:45:00+01:00,ab 12345,Diesel,41.5,L\n' + 'T2,2019-07-01 12:00,EL-10001,Blyfri 95,30,l\n',
      'Europe/Oslo',
    );
    expect(rejected).toEqual([]);
    expect(rows).toEqual([
      { line: 2, transactionId: 'T1', occurredAt: new Date('2019-03-04T06:45:00Z'), registration: 'AB12345', product: 'Diesel', carrier: 'diesel', quantity: 41.5, unit: 'L' },
      // Local summer time in Oslo is UTC+2.
      { line: 3, transactionId: 'T2', occurredAt: new Date('2019-07-01T10:00:00Z'), registration: 'EL10001', product: 'Blyfri 95', carrier: 'petrol', quantity: 30, unit: 'L' },
    ]);
  });

  it('reads a Norwegian semicolon export with decimal commas, columns in any order and extra columns', () => {
    const { rows } = parseFuelFile('Dato;Kjennemerke;Produkt;Mengde;Enhet;Beløp;Transaksjonsid\n04.03.2019 07:45;AB12345;Biogas;12,5;kg;250,00;N-7\n', 'Europe/Oslo');
    expect(rows).toEqual([expect.objectContaining({ transactionId: 'N-7', occurredAt: new Date('2019-03-04T06:45:00Z'), carrier: 'biogas', quantity: 12.5, unit: 'kg' })]);
  });

  it('reports every fault of every bad row and keeps the good rows', () => {
    const { rows, rejected } = parseFuelFile(
      'transaction_id,date_time,registration,product,quantity,unit\n' +
        'G1,2019-03-04T07:45:00Z,AB12345,diesel,40,L\n' +
        ',yesterday,AB12345,AdBlue,-3,L\n' +
        'B2,2019-02-30 10:00,AB12345,petrol,abc,kg\n' +
        'B3,2019-03-04 10:00,?,petrol,10,kg\n',
      'Europe/Oslo',
    );
    expect(rows.map((row) => row.transactionId)).toEqual(['G1']);
    expect(rejected).toEqual([
      {
        line: 3,
        transactionId: null,
        errors: [
          { field: 'transactionId', message: 'transaction id is missing' },
          { field: 'dateTime', message: expect.stringContaining('"yesterday" is not a date-time') },
          { field: 'product', message: expect.stringContaining('"AdBlue" is not a fuel') },
          { field: 'quantity', message: 'quantity must be positive (corrections and refunds are not imported)' },
        ],
      },
      {
        line: 4,
        transactionId: 'B2',
        errors: [
          { field: 'dateTime', message: expect.stringContaining('"2019-02-30 10:00"') },
          { field: 'quantity', message: '"abc" is not a number' },
          { field: 'unit', message: 'petrol is measured in L, not kg' },
        ],
      },
      {
        line: 5,
        transactionId: 'B3',
        errors: [
          { field: 'registration', message: '"?" is not a registration' },
          { field: 'unit', message: 'petrol is measured in L, not kg' },
        ],
      },
    ]);
  });

  it('refuses a file without the columns it needs, or empty', () => {
    expect(() => parseFuelFile('id,date,registration,product,amount\nX,2019-01-01 10:00,AB1,diesel,10\n', 'Europe/Oslo')).toThrow(
      new FuelFileError('Missing column(s) quantity, unit in the header "id,date,registration,product,amount"'),
    );
    expect(() => parseFuelFile('', 'Europe/Oslo')).toThrow(FuelFileError);
  });

  it('converts wall-clock times across daylight saving time', () => {
    expect(localToInstant(2019, 3, 31, 3, 30, 0, 'Europe/Oslo').toISOString()).toBe('2019-03-31T01:30:00.000Z');
    expect(localToInstant(2019, 10, 27, 2, 30, 0, 'Europe/Oslo').toISOString()).toBe('2019-10-27T00:30:00.000Z');
    expect(parseDateTime('2019-12-31T23:30:00Z', 'Europe/Oslo')?.toISOString()).toBe('2019-12-31T23:30:00.000Z');
    expect(localDay(new Date('2019-12-31T23:30:00Z'), 'Europe/Oslo')).toBe('2020-01-01');
  });
});
