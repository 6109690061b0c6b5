/**
 * The service's JSON log lines (pino) as one readable line each, for output a person reads (the
 * service on a terminal, the demo): level, the class that logged, the message and the error.
 * Lines that are not such JSON pass through as they are.
 */
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export function humanLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.msg !== 'string' || typeof entry.level !== 'number') return line;
  const context = typeof entry.context === 'string' ? ` ${entry.context}` : '';
  const error = entry.err as { message?: unknown } | undefined;
  const cause = error && typeof error.message === 'string' && !entry.msg.includes(error.message) ? ` (${error.message})` : '';
  return `${LEVELS[entry.level] ?? entry.level}${context}: ${entry.msg}${cause}`;
}

/** A pino destination writing readable lines, with the time, to a terminal. */
export function humanLogDestination(out: NodeJS.WritableStream): { write(line: string): void } {
  return {
    write(line: string) {
      out.write(`${new Date().toISOString().slice(11, 19)} ${humanLogLine(line.trimEnd())}\n`);
    },
  };
}
