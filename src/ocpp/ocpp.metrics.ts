import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../platform/metrics/metrics.service';

/** The OCPP endpoint's instruments, under klimaklok_ocpp_*. */
@Injectable()
export class OcppMetrics {
  readonly calls: Counter<'action'>;
  readonly callErrors: Counter<'code'>;
  readonly refused: Counter<'status'>;
  readonly unsolicited: Counter;
  readonly otherValues: Counter;
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly writeRetries: Counter;
  readonly connections: Gauge;
  /** Set by the endpoint, read at scrape time. */
  countConnections: () => number = () => 0;

  constructor(metrics: MetricsService) {
    this.calls = metrics.counter('ocpp_calls_total', 'CALLs received from charge points, by action (Authorize and DataTransfer are counted only here)', ['action']);
    this.callErrors = metrics.counter('ocpp_callerrors_sent_total', 'CALLERRORs answered, by OCPP error code', ['code']);
    this.refused = metrics.counter('ocpp_handshakes_refused_total', 'WebSocket upgrades refused, by HTTP status (400 subprotocol, 401 password, 404 unknown charge point)', ['status']);
    this.unsolicited = metrics.counter('ocpp_unsolicited_responses_total', 'CALLRESULT / CALLERROR frames from charge points (the service makes no calls): ignored');
    this.otherValues = metrics.counter('ocpp_other_sampled_values_total', 'Sampled values without a contract field (other measurands, per-phase values, non-numbers): not stored as figures');
    this.stored = metrics.counter('ocpp_samples_stored_total', 'Samples and events stored');
    this.duplicates = metrics.counter('ocpp_samples_duplicate_total', 'Samples already stored (re-sent CALLs), answered and not stored again');
    this.rejected = metrics.counter('ocpp_rejected_total', 'CALLs, frames and meter values sent to dead letters, by reason', ['reason']);
    this.writeRetries = metrics.counter('ocpp_write_retries_total', 'Batch writes retried after a database error');
    this.connections = metrics.gauge('ocpp_connections', 'Charge points connected to this process', [], () => this.countConnections());
  }
}
