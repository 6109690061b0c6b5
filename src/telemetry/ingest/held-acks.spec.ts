import { HeldAcks } from './held-acks';

describe('HeldAcks', () => {
  it('sends a PUBACK that MQTT.js asked for once its message is committed', () => {
    const acks = new HeldAcks();
    const sent: number[] = [];
    const ack = acks.received(7);
    acks.pubackRequested(7, () => sent.push(7));
    expect(sent).toEqual([]);
    acks.settled(ack, true);
    expect(sent).toEqual([7]);
    expect(acks.size).toBe(0);
  });

  it('sends it at once when the commit came before MQTT.js asked (its read was held back)', () => {
    const acks = new HeldAcks();
    const sent: number[] = [];
    acks.settled(acks.received(7), true);
    acks.pubackRequested(7, () => sent.push(7));
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
    acks.pubackRequested(2, () => sent.push(2));
    expect(sent).toEqual([]);
    expect(acks.size).toBe(0);
  });

  it('drops a PUBACK asked for a message it does not hold (one from a lost connection)', () => {
    const sent: number[] = [];
    new HeldAcks().pubackRequested(3, () => sent.push(3));
    expect(sent).toEqual([]);
  });

  it('never sends a PUBACK held on a lost connection, even when the id is reused for another message', () => {
    const acks = new HeldAcks();
    const sent: string[] = [];
    const earlier = acks.received(5);
    acks.pubackRequested(5, () => sent.push('earlier'));
    const committedBeforeLoss = acks.received(6);
    acks.connectionLost();
    const other = acks.received(5); // on the new connection id 5 names another message (or the re-delivery)
    acks.settled(earlier, true);
    acks.settled(committedBeforeLoss, true);
    acks.pubackRequested(6, () => sent.push('committed before loss')); // MQTT.js asks late, for the old connection
    expect(sent).toEqual([]);
    acks.pubackRequested(5, () => sent.push('other'));
    expect(sent).toEqual([]);
    acks.settled(other, true);
    expect(sent).toEqual(['other']);
    expect(acks.size).toBe(0);
  });
});
