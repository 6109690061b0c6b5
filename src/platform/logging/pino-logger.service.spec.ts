import { QueryFailedError } from 'typeorm';
import { PinoLoggerService } from './pino-logger.service';

describe('PinoLoggerService', () => {
  const capture = () => {
    const lines: string[] = [];
    const logger = new PinoLoggerService('info', { write: (line: string) => lines.push(line) });
    return { logger, logged: () => lines.map((line) => JSON.parse(line) as Record<string, unknown> & { err: { parameters?: unknown; query: string } }) };
  };

  it('logs a failed query without its parameters and with the start of the statement only', () => {
    const { logger, logged } = capture();
    const query = `INSERT INTO vehicle_samples SELECT * FROM unnest($1::uuid[]) ${' '.repeat(2000)}ON CONFLICT DO NOTHING`;
    const parameters = [Array.from({ length: 5000 }, () => 'a-very-secret-sample')];
    logger.error(new QueryFailedError(query, parameters, new Error('Connection terminated')), 'IngestService');

    const [line] = logged();
    expect(line.context).toBe('IngestService');
    expect(line.msg).toBe('Connection terminated');
    expect(line.err.parameters).toBeUndefined();
    expect(line.err.query.length).toBeLessThan(600);
    expect(JSON.stringify(line)).not.toContain('a-very-secret-sample');
  });

  it('keeps the fields of an object message', () => {
    const { logger, logged } = capture();
    logger.log({ queues: ['derive'], concurrency: 4 }, 'WorkerHost');
    expect(logged()[0]).toMatchObject({ queues: ['derive'], concurrency: 4, context: 'WorkerHost', level: 30 });
  });

  it('keeps the text beside an object message (a Nest Logger passes fields, text, context)', () => {
    const { logger, logged } = capture();
    logger.log({ replayed: 1000 }, 'Dead-letter replay in progress', 'DeadLetterReplayService');
    expect(logged()[0]).toMatchObject({ replayed: 1000, msg: 'Dead-letter replay in progress', context: 'DeadLetterReplayService' });
  });
});
