import { ServerEvent, SseParser } from './sse';

describe('SseParser', () => {
  const parse = (...chunks: string[]) => {
    const events: ServerEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    for (const chunk of chunks) parser.push(chunk);
    return events;
  };

  it('reads typed events as Nest writes them', () => {
    expect(parse('id: 1\nevent: status\ndata: {"vehicleId":"a","status":"online"}\n\n')).toEqual([{ type: 'status', data: '{"vehicleId":"a","status":"online"}', id: '1' }]);
  });

  it('joins events split across chunks at any point, including inside \\r\\n', () => {
    const wire = 'event: status\r\ndata: x\r\n\r\nevent: status\r\ndata: y\r\n\r\n';
    for (let cut = 1; cut < wire.length; cut++) {
      expect(parse(wire.slice(0, cut), wire.slice(cut)).map((e) => e.data)).toEqual(['x', 'y']);
    }
  });

  it('joins multi-line data, defaults the type to message, skips comments and incomplete events', () => {
    expect(parse(': keep-alive\n\ndata: a\ndata: b\n\ndata: unfinished\n')).toEqual([{ type: 'message', data: 'a\nb' }]);
  });
});
