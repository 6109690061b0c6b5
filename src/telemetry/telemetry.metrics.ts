import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../platform/metrics/metrics.service';

/** The ingest pipeline's instruments, under klimaklok_ingest_*. */
@Injectable()
export class TelemetryMetrics {
  readonly messages: Counter<'stream'>;
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly unknownFields: Counter;
  readonly batchSize: Histogram;
  readonly commitSeconds: Histogram;
  readonly liveLagSeconds: Histogram;
  readonly inFlight: Gauge;
  readonly writeRetries: Counter;
  readonly reconnects: Counter<'connection'>;
  readonly profileDeliveries: Counter<'profile' | 'outcome'>;
  /** Set by the ingest: read when the metrics are scraped, not counted up and down per message. */
  countInFlight: () => number = () => 0;
  /** Set by the ingest: each broker connection's client id, last message time and subscription, read at scrape time. */
  connectionStates: () => Array<{ clientId: string; subscribed: boolean; lastMessageAt: number | undefined }> = () => [];

  constructor(metrics: MetricsService) {
    this.messages = metrics.counter('ingest_messages_received_total', 'MQTT messages received', ['stream']);
    this.stored = metrics.counter('ingest_samples_stored_total', 'Samples and events stored');
    this.duplicates = metrics.counter('ingest_samples_duplicate_total', 'Samples already stored (re-delivery), acknowledged and not stored again');
    this.rejected = metrics.counter('ingest_rejected_total', 'Messages and samples sent to dead letters, by reason', ['reason']);
    this.unknownFields = metrics.counter('ingest_unknown_fields_total', 'Sample fields the contract does not know (ignored)');
    this.batchSize = metrics.histogram('ingest_batch_rows', 'Rows per committed batch', [], [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
    this.commitSeconds = metrics.histogram('ingest_commit_seconds', 'Time to write and commit a batch', [], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
    this.liveLagSeconds = metrics.histogram('ingest_live_lag_seconds', 'Sample time to commit, for samples less than 5 minutes old', [], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]);
    this.inFlight = metrics.gauge('ingest_messages_in_flight', 'Messages received and not yet acknowledged', [], () => this.countInFlight());
    this.writeRetries = metrics.counter('ingest_write_retries_total', 'Batch writes retried after a database error');
    this.profileDeliveries = metrics.counter('ingest_profile_deliveries_total', 'Deliveries of publisher profiles (device-profiles.md), by profile and what became of them', ['profile', 'outcome']);
    this.reconnects = metrics.counter('ingest_reconnects_total', 'Broker connections re-established after they were lost', ['connection']);
    metrics.gaugeByLabel('ingest_seconds_since_last_message', 'Seconds since the broker connection last received a message (absent before the first)', 'connection', () =>
      this.connectionStates().flatMap((state) => (state.lastMessageAt === undefined ? [] : [[state.clientId, (Date.now() - state.lastMessageAt) / 1000] as [string, number]])),
    );
    metrics.gaugeByLabel('ingest_connection_subscribed', '1 while the broker connection is up and its subscription granted, else 0', 'connection', () =>
      this.connectionStates().map((state) => [state.clientId, state.subscribed ? 1 : 0]),
    );
  }
}
