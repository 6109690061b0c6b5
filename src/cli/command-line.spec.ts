import { UsageError, readCommandLine, wholeNumber } from './command-line';

describe('readCommandLine', () => {
  const options = { rate: { type: 'string' }, check: { type: 'boolean' } } as const;

  it('reads the options, --name=value included', () => {
    expect(readCommandLine(['--rate', '5', '--check'], options, 'USAGE').values).toEqual({ rate: '5', check: true });
    expect(readCommandLine(['--rate=7'], options, 'USAGE').values).toEqual({ rate: '7' });
  });

  it.each([
    [['--rats', '5'], /Unknown option '--rats'/],
    [['--rate'], /--rate <value>' argument missing/],
    [['stray'], /Unexpected argument 'stray'/],
  ])('refuses %j with the usage', (argv, problem) => {
    expect(() => readCommandLine(argv, options, 'USAGE')).toThrow(UsageError);
    expect(() => readCommandLine(argv, options, 'USAGE')).toThrow(problem);
    expect(() => readCommandLine(argv, options, 'USAGE')).toThrow(/\nUSAGE$/);
  });

  it('takes positionals when asked to', () => {
    expect(readCommandLine(['up', '--check'], options, 'USAGE', { positionals: true }).positionals).toEqual(['up']);
  });

  it('prints the usage for --help and -h and exits 0', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (const flag of ['--help', '-h']) {
        expect(() => readCommandLine([flag], options, 'USAGE')).toThrow('exit 0');
        expect(write).toHaveBeenLastCalledWith('USAGE');
      }
    } finally {
      exit.mockRestore();
      write.mockRestore();
    }
  });
});

describe('wholeNumber', () => {
  it('gives the fallback when not given, the number otherwise', () => {
    expect(wholeNumber('rate', undefined, 200)).toBe(200);
    expect(wholeNumber('rate', '50', 200)).toBe(50);
  });

  it.each(['0', '-3', '2.5', 'ten', ''])('refuses %j naming the option', (raw) => {
    expect(() => wholeNumber('rate', raw, 200)).toThrow(`--rate must be a whole number >= 1, got "${raw}"`);
  });
});
