import { HeldAcks } from './held-acks';

describe('HeldAcks', () => {
  it('sends a PUBACK that MQTT.js asked for once its message is committed', () => {
    const acks = new HeldAcks();
    const sent: number[] = [];
    const ack = acks.received(7);
    expect(acks.pubackRequested(7, () => sent.push(7))).toBe(true);
    expect(sent).toEqual([]);
    acks.settled(ack, true);
    expect(sent).toEqual([7]);
    expect(acks.size).toBe(0);
  });

  it('sends it at once when the commit came before MQTT.js asked (its read was held back)', () => {
    const acks = new HeldAcks();
    const sent: number[] = [];
    acks.settled(acks.received(7), true);
    expect(acks.pubackRequested(7, () => sent.push(7))).toBe(true);
    expect(sent).toEqual([7]);
    expect(acks.size).toBe(0);
  });

  it('never sends the PUBACK of a failed message, whichever came first', () => {
    const acks = new HeldAcks();
    const sent: number[] = [];
    const first = acks.received(1);
    acks.pubackRequested(1, () => sent.push(1));
    acks.settled(first, false);
    acks.settled(acks.received(2), false);
    expect(acks.pubackRequested(2, () => sent.push(2))).toBe(true);
    expect(sent).toEqual([]);
    expect(acks.size).toBe(0);
  });

  it('leaves PUBACKs it does not hold to MQTT.js', () => {
    expect(new HeldAcks().pubackRequested(3, () => undefined)).toBe(false);
  });

  it('keeps a re-delivered message apart from the earlier delivery under the same id', () => {
    const acks = new HeldAcks();
    const sent: string[] = [];
    const earlier = acks.received(5);
    acks.pubackRequested(5, () => sent.push('earlier'));
    const again = acks.received(5); // after a reconnect the broker re-delivers under the same id
    acks.settled(earlier, true);
    expect(sent).toEqual(['earlier']);
    acks.pubackRequested(5, () => sent.push('again'));
    expect(sent).toEqual(['earlier']);
    acks.settled(again, true);
    expect(sent).toEqual(['earlier', 'again']);
    expect(acks.size).toBe(0);
  });
});
