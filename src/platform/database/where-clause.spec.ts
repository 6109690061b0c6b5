import { whereClause } from './where-clause';

describe('whereClause', () => {
  it('keeps the conditions whose value is set, numbering their parameters in order', () => {
    expect(whereClause({ 'reason = $?': 'x', 'at >= $?': undefined, 'device = $?': 'd' })).toEqual({ clause: 'WHERE reason = $1 AND device = $2', params: ['x', 'd'] });
    expect(whereClause({ 'reason = $?': '', 'at >= $?': null })).toEqual({ clause: '', params: [] });
  });

  it("numbers after the statement's own parameters", () => {
    expect(whereClause({ 'reason = $?': 'x', 'device = $?': 'd' }, 4)).toEqual({ clause: 'WHERE reason = $5 AND device = $6', params: ['x', 'd'] });
  });
});
