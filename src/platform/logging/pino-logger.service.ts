import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';

const MAX_QUERY_CHARS = 500;

/**
 * A failed query carries its parameters: for an ingest batch, megabytes of samples (and hashed
 * idTags) in one log line. The log keeps the error and the start of the statement.
 */
function serializeError(error: Error): Record<string, unknown> {
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(error) };
  delete serialized.parameters;
  if (typeof serialized.query === 'string' && serialized.query.length > MAX_QUERY_CHARS) {
    serialized.query = `${serialized.query.slice(0, MAX_QUERY_CHARS)}...`;
  }
  return serialized;
}

/**
 * Nest's LoggerService backed by pino: one JSON object per line on stdout, with the Nest
 * context (the class that logged) as `context`. Secrets never reach it: the config holds them
 * and nothing logs the config.
 */
export class PinoLoggerService implements LoggerService {
  readonly pino: Logger;

  constructor(level: string, destination?: DestinationStream) {
    const options = {
      level,
      base: { service: 'klimaklok' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      redact: { paths: ['req.headers.authorization', '*.authorization', '*.apiKey', '*.secret'], censor: '***' },
    };
    this.pino = destination ? pino(options, destination) : pino(options);
  }

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  /** Nest passes (message, ...optionalParams, context); for errors the params hold the stack. */
  private write(level: pino.Level, message: unknown, rest: unknown[]) {
    const params = [...rest];
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    // `logger.log({ fields }, 'text')` on a Nest Logger arrives as (fields, 'text', context): the text is the line's message.
    let text: string | undefined;
    for (const param of params) {
      if (param instanceof Error) fields.err = param;
      else if (typeof param === 'string' && param.includes('\n    at ')) fields.stack = param;
      else if (typeof param === 'string') text ??= param;
      else if (param && typeof param === 'object') Object.assign(fields, param);
    }
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (message && typeof message === 'object') this.pino[level]({ ...fields, ...message }, text);
    else this.pino[level](fields, String(message));
  }
}
