import { booleanArray, numberArray, uuidArray } from './array-literals';

describe('array literals', () => {
  it('writes numbers as PostgreSQL reads them back, absent ones as NULL', () => {
    const rows = [{ x: 1.5 }, { x: null }, { x: -0.25 }, { x: 1e21 }, { x: 1551700000123 }];
    expect(numberArray(rows, (row) => row.x)).toBe('{1.5,NULL,-0.25,1e+21,1551700000123}');
  });

  it('writes booleans as t / f / NULL', () => {
    expect(booleanArray([{ b: true }, { b: null }, { b: false }], (row) => row.b)).toBe('{t,NULL,f}');
  });

  it('writes a column without any value as an empty array (unnest pads it with nulls)', () => {
    expect(numberArray([], () => 1)).toBe('{}');
    expect(numberArray([{ x: null }, { x: null }], (row) => row.x)).toBe('{}');
    expect(booleanArray([{ b: null }], (row) => row.b)).toBe('{}');
  });

  it('writes uuids and refuses anything else: they go into the literal unescaped', () => {
    const id = '6f1c2a34-9b8e-4d21-a3c5-0e7f9a1b2c3d';
    expect(uuidArray([{ id }, { id }], (row) => row.id)).toBe(`{${id},${id}}`);
    expect(() => uuidArray([{ id }, { id: `${id}},{x` }], (row) => row.id)).toThrow(/not a uuid/);
  });
});
