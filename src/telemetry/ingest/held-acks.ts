/** One QoS 1 message's acknowledgement while it is held. */
export interface HeldAck {
  readonly messageId: number;
  outcome: 'waiting' | 'committed' | 'failed';
  sendPuback?: () => void;
}

/**
 * The PUBACKs of one MQTT connection, each held until its message is committed.
 *
 * Two things must happen before a PUBACK goes out: MQTT.js asks to send it (right after the
 * message handler lets it read on, which may be held back while the connection has too much in
 * hand), and the message's batch commits. They come in either order; the PUBACK is sent when the
 * second one arrives, and never for a message whose batch failed: the broker re-delivers that one.
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
   * MQTT.js asks to send a PUBACK. Returns false when that PUBACK is not held (send it now);
   * otherwise `send` is called once the message is committed, or never.
   */
  pubackRequested(messageId: number, send: () => void): boolean {
    const ack = this.held.get(messageId);
    if (!ack) return false;
    if (ack.outcome === 'waiting') {
      ack.sendPuback = send;
      return true;
    }
    this.held.delete(messageId);
    if (ack.outcome === 'committed') send();
    return true;
  }

  /** The message's batch committed, or failed. */
  settled(ack: HeldAck, committed: boolean): void {
    ack.outcome = committed ? 'committed' : 'failed';
    if (!ack.sendPuback) return; // MQTT.js has not asked yet: pubackRequested() finishes it
    if (this.held.get(ack.messageId) === ack) this.held.delete(ack.messageId);
    if (committed) ack.sendPuback();
  }

  /** PUBACKs held now (waiting for their commit or for MQTT.js to ask). */
  get size(): number {
    return this.held.size;
  }
}
