import { UnreadableValue, booleanText, booleanValue, jsonObject, numberText, numberValue, textValue } from './values';

describe('profile values', () => {
  it.each([
    [42, 42],
    ['42.5', 42.5],
    [' 1e+06 ', 1_000_000],
    ['-3', -3],
    ['', null],
    ['  ', null],
    [null, null],
    [undefined, null],
  ])('reads the number %j as %j', (raw, expected) => expect(numberValue('x', raw)).toBe(expected));

  it.each([['twelve'], ['1,5'], [Infinity], [true], [{}], ['1'.repeat(400)]])('refuses %j as a number', (raw) => {
    expect(() => numberValue('x', raw)).toThrow(UnreadableValue);
  });

  it.each([
    [true, true],
    ['yes', true],
    ['YES', true],
    ['true', true],
    [1, true],
    ['1', true],
    [false, false],
    ['no', false],
    ['false', false],
    [0, false],
    ['', null],
  ])('reads the boolean %j as %j', (raw, expected) => expect(booleanValue('x', raw)).toBe(expected));

  it('refuses other text as a boolean, naming the value', () => {
    expect(() => booleanValue('v.e.on', 'maybe')).toThrow('v.e.on: expected true/false, yes/no or 1/0, got "maybe"');
    expect(() => booleanValue('v.e.on', 2)).toThrow(UnreadableValue);
  });

  it('parses a JSON object and explains anything else', () => {
    expect(jsonObject(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(jsonObject(Buffer.from('"a"'))).toBe('expected a JSON object');
    expect(jsonObject(Buffer.alloc(256 * 1024 + 1, 0x20))).toMatch(/at most 262144 allowed/);
  });
});

describe('publisher text values', () => {
  it('reads the payload as trimmed text; an empty payload is unknown', () => {
    expect(textValue(Buffer.from(' 42.5\n'))).toBe('42.5');
    expect(textValue(Buffer.alloc(0))).toBeUndefined();
    expect(textValue(Buffer.from('  '))).toBeUndefined();
  });

  it.each([
    ['42', 42],
    ['1.0e6', 1_000_000],
    [' -3.5 ', -3.5],
    ['', undefined],
    [undefined, undefined],
    ['twelve', 'twelve'],
    ['0x10', '0x10'],
    ['Infinity', 'Infinity'],
  ])('reads the number text %j as %j', (text, expected) => expect(numberText(text)).toBe(expected));

  it.each([
    ['yes', true],
    ['On', true],
    ['1', true],
    ['no', false],
    ['false', false],
    ['', undefined],
    ['maybe', 'maybe'],
  ])('reads the boolean text %j as %j', (text, expected) => expect(booleanText(text)).toBe(expected));
});
