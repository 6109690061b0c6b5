import { QueryFailedError } from 'typeorm';
import { isDatabaseUnreachable, isPoolExhausted } from './database-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a refused connection to several addresses', Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]), { code: 'ECONNREFUSED' })],
    ['a connection that ended under a query', new Error('Connection terminated unexpectedly')],
    ['a new connection not opened in time', new Error('Connection terminated due to connection timeout')],
    ['a server shutting down (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['a server starting up (57P03)', withCode('the database system is starting up', '57P03')],
    ['a connection exception (class 08)', withCode('connection failure', '08006')],
    ['a rollback on a connection that died', Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' })],
    ['a wrapped driver error', new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01'))],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value', '23505'))],
    ['a syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['a plain error', new Error('something else')],
    ['a pool with no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});

describe('isPoolExhausted', () => {
  it("is true for pg-pool's checkout timeout, bare or wrapped", () => {
    const exhausted = new Error('timeout exceeded when trying to connect');
    expect(isPoolExhausted(exhausted)).toBe(true);
    expect(isPoolExhausted(new QueryFailedError('SELECT 1', [], exhausted))).toBe(true);
  });

  it('is false for an unreachable server and other errors', () => {
    expect(isPoolExhausted(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(false);
    expect(isPoolExhausted(new Error('Connection terminated due to connection timeout'))).toBe(false);
    expect(isPoolExhausted(undefined)).toBe(false);
  });
});
