/**
 * Values as one-value-per-topic publishers send them (device-profiles.md, "Rules for every
 * profile"): text, never JSON numbers or booleans; an empty payload is "unknown" (a retained value
 * was cleared), never 0 or false.
 */
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The payload's text, or undefined for an empty payload (unknown). */
export function textValue(payload: Buffer): string | undefined {
  const text = utf8.decode(payload).trim();
  return text === '' ? undefined : text;
}

/** `yes`/`no`, `true`/`false`, `1`/`0`; anything else stays text so that the contract's check names it. */
export function booleanText(text: string | undefined): boolean | string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  switch (text.trim().toLowerCase()) {
    case 'yes':
    case 'true':
    case '1':
      return true;
    case 'no':
    case 'false':
    case '0':
      return false;
    default:
      return text;
  }
}

/** A number in any notation the publishers use (`12.5`, `1e+06`, Elixir's `1.0e6`); anything else stays text for the contract's check. */
export function numberText(text: string | undefined): number | string | undefined {
  // Number('') is 0: an empty text is unknown, never 0.
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}
