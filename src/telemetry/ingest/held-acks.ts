/** One QoS 1 message's acknowledgement while it is held. */
export interface HeldAck {
  readonly messageId: number;
  outcome: 'waiting' | 'committed' | 'failed' | 'abandoned';
  sendPuback?: () => void;
}

/**
 * The PUBACKs of one MQTT connection, each held until its message is committed.
 *
 * Two things must happen before a PUBACK goes out: MQTT.js asks to send it (right after the
 * message handler lets it read on, which may be held back while the connection has too much in
 * hand), and the message's batch commits. They come in either order; the PUBACK is sent when the
 * second one arrives, and never for a message whose batch failed: the broker re-delivers that one.
 *
 * Held PUBACKs belong to one connection. When it is lost the broker re-delivers every message it
 * has no PUBACK for, and on the next connection a message id may name another message: a PUBACK
 * held from before would acknowledge that one before it is committed. So a lost connection
 * abandons every held PUBACK (`connectionLost`), and a PUBACK asked for a message not held is
 * dropped rather than sent.
 */
export class HeldAcks {
  private readonly held = new Map<number, HeldAck>();

  /** A message was handed on; its PUBACK is held from now on. */
  received(messageId: number): HeldAck {
    // A message id is reused only after its PUBACK, or after a reconnect re-delivers the message: the newer one counts.
    const ack: HeldAck = { messageId, outcome: 'waiting' };
    this.held.set(messageId, ack);
    return ack;
  }

  /**
   * MQTT.js asks to send a PUBACK: `send` is called once the message is committed, or never (its
   * batch failed, its connection was lost, or the message is not held: it came on a lost connection).
   */
  pubackRequested(messageId: number, send: () => void): void {
    const ack = this.held.get(messageId);
    if (!ack) return;
    if (ack.outcome === 'waiting') {
      ack.sendPuback = send;
      return;
    }
    this.held.delete(messageId);
    if (ack.outcome === 'committed') send();
  }

  /** The message's batch committed, or failed. */
  settled(ack: HeldAck, committed: boolean): void {
    if (ack.outcome === 'abandoned') return;
    ack.outcome = committed ? 'committed' : 'failed';
    if (!ack.sendPuback) return; // MQTT.js has not asked yet: pubackRequested() finishes it
    if (this.held.get(ack.messageId) === ack) this.held.delete(ack.messageId);
    if (committed) ack.sendPuback();
  }

  /** The connection is gone: none of the PUBACKs held now may be sent (the broker re-delivers their messages). */
  connectionLost(): void {
    for (const ack of this.held.values()) ack.outcome = 'abandoned';
    this.held.clear();
  }

  /** PUBACKs held now (waiting for their commit or for MQTT.js to ask). */
  get size(): number {
    return this.held.size;
  }
}
