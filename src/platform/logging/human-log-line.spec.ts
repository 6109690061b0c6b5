import { humanLogDestination, humanLogLine } from './human-log-line';
import { PinoLoggerService } from './pino-logger.service';

describe('humanLogLine', () => {
  it('turns a pino line into level, context and message', () => {
    const line =
      '{"level":40,"time":"2026-12-03T12:00:00.000Z","service":"klimaklok","context":"IngestService","msg":"ID_TAG_SECRET is not set: idTags are hashed with a development key. Set it in production."}';
    expect(humanLogLine(line)).toBe('warn IngestService: ID_TAG_SECRET is not set: idTags are hashed with a development key. Set it in production.');
  });

  it('adds the error message when the message does not hold it', () => {
    expect(humanLogLine('{"level":50,"msg":"derivation failed","err":{"type":"Error","message":"connection refused","stack":"..."}}')).toBe('error: derivation failed (connection refused)');
  });

  it('passes other lines through', () => {
    for (const line of ['plain text', '{"not":"a log line"}', '{broken', '']) expect(humanLogLine(line)).toBe(line);
  });

  it('gives the service readable lines on a terminal, from the real logger', () => {
    const written: string[] = [];
    const logger = new PinoLoggerService('info', humanLogDestination({ write: (text: string) => written.push(text) } as unknown as NodeJS.WritableStream));
    logger.warn('broker connection lost', 'IngestService');
    expect(written).toEqual([expect.stringMatching(/^\d{2}:\d{2}:\d{2} warn IngestService: broker connection lost\n$/)]);
  });
});
