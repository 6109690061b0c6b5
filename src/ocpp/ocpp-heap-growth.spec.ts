import { setFlagsFromString } from 'node:v8';
import { Role } from '../platform/config/app-config';
import { OCPP_HEAP_GROWING_PERCENT, limitHeapGrowthForOcpp } from './ocpp-heap-growth';

jest.mock('node:v8', () => ({ setFlagsFromString: jest.fn() }));

describe('limitHeapGrowthForOcpp', () => {
  beforeEach(() => jest.mocked(setFlagsFromString).mockClear());

  it.each<[string, Role[]]>([
    ['the ocpp role alone', ['ocpp']],
    ['every role in one process', ['api', 'ingest', 'worker', 'ocpp']],
  ])('bounds the old generation to twice what survived a full collection for %s', (_name, roles) => {
    expect(limitHeapGrowthForOcpp(new Set(roles))).toBe(true);
    expect(OCPP_HEAP_GROWING_PERCENT).toBe(100);
    expect(setFlagsFromString).toHaveBeenCalledWith('--heap-growing-percent=100');
  });

  it('leaves V8 its own heap growth in a process without the ocpp role', () => {
    expect(limitHeapGrowthForOcpp(new Set<Role>(['api', 'ingest', 'worker']))).toBe(false);
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });
});
