import { addMonths } from '../../platform/time/calendar';
import { partialServiceMonths, wholeMonths } from './month-windows';

describe('month windows', () => {
  it('finds the whole months of a period', () => {
    expect(wholeMonths('2019-01-01', '2020-01-01')).toEqual({ from: '2019-01-01', to: '2020-01-01' });
    expect(wholeMonths('2019-01-15', '2019-04-10')).toEqual({ from: '2019-02-01', to: '2019-04-01' });
    expect(wholeMonths('2019-01-15', '2019-02-10')).toBeNull();
    expect(addMonths('2019-12-01', 1)).toBe('2020-01-01');
    expect(addMonths('2019-01-01', -1)).toBe('2018-12-01');
  });

  it('finds the months a vehicle enters or leaves mid-month', () => {
    const year = { from: '2019-01-01', to: '2020-01-01' };
    expect(partialServiceMonths('2018-01-01', null, year)).toEqual([]);
    expect(partialServiceMonths('2019-03-01', '2019-09-30', year)).toEqual([]);
    expect(partialServiceMonths('2019-03-15', '2019-09-14', year)).toEqual([
      { from: '2019-03-01', to: '2019-04-01' },
      { from: '2019-09-01', to: '2019-10-01' },
    ]);
    expect(partialServiceMonths('2019-05-10', '2019-05-20', year)).toEqual([{ from: '2019-05-01', to: '2019-06-01' }]);
    expect(partialServiceMonths('2018-05-10', '2020-02-20', year)).toEqual([]);
    expect(partialServiceMonths('2019-12-31', null, year)).toEqual([{ from: '2019-12-01', to: '2020-01-01' }]);
  });
});
