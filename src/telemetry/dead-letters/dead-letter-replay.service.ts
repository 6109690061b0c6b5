import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { deriveChargePointDays, deriveVehicleDays } from '../../platform/queue/job-catalogue';
import { QueueService } from '../../platform/queue/queue.service';
import { DayRanges } from '../../platform/time/day-ranges';
import { DeviceDirectoryService } from '../../registry/devices/device-directory.service';
import { DeviceLookup, FUTURE_TOLERANCE_MS, decodeMessage } from '../ingest/decode-message';
import { ProfileRoutes } from '../profiles/profile-routes';
import { replayProfileDelivery } from '../profiles/profile-replay';
import { RawBatch, addTouchedDays, appendBatch, emptyBatch, sampleRows } from '../storage/raw-batch';
import { RawSampleRepository } from '../storage/raw-sample.repository';
import { DeadLetterRepository, DeadLetterSelection, ReplayCandidate } from './dead-letter.repository';

export interface ReplayResult {
  /** Dead letters decoded again. */
  replayed: number;
  /** Samples and events the replay stored. */
  stored: number;
  /** Samples and events that were stored already (stay as they are). */
  duplicates: number;
  /** By reason: dead letters refused again as a whole, and samples refused again of those partly stored. */
  stillRejected: Record<string, number>;
}

/** Dead letters read and written per round trip; bounded by payload bytes too (a kept message may be 256 KiB). */
const PAGE_ROWS = 1000;
const PAGE_BYTES = 8 * 1024 * 1024;
const PROGRESS_EVERY_MS = 5000;

/**
 * Replays dead letters (telemetry contract amendment 1.1): each kept payload goes through the
 * current decoder (contract v1's, or a JSON publisher profile's: profile-replay.ts) as if it had just arrived at its original receive time, with today's registry
 * and BACKFILL_HORIZON_DAYS. Page by page in id order, each page's samples written in one
 * statement (duplicates of stored samples are no-ops) and its dead letters then marked with their
 * outcome, never deleted. Nothing is held beyond a page, and a replay cut short (a restart) is
 * simply asked again: dead letters already stored are skipped by their mark, and whatever a
 * page had written before its marks is a duplicate the second time. Two replays at once do no
 * harm for the same reason, though each then counts only part of the work.
 */
@Injectable()
export class DeadLetterReplayService {
  private readonly logger = new Logger(DeadLetterReplayService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deadLetters: DeadLetterRepository,
    private readonly raw: RawSampleRepository,
    private readonly directory: DeviceDirectoryService,
    private readonly queue: QueueService,
  ) {}

  async replay(selection: DeadLetterSelection): Promise<ReplayResult> {
    const started = Date.now();
    const devices = await this.deviceLookup();
    const profileRoutes = new ProfileRoutes(await this.directory.listProfileDevices());
    // Dead letters this replay writes (samples refused again) are not replayed by it.
    const upToId = await this.deadLetters.lastId();
    const result: ReplayResult = { replayed: 0, stored: 0, duplicates: 0, stillRejected: {} };
    const vehicleDays = new DayRanges();
    const chargePointDays = new DayRanges();
    this.logger.log({ selection, upToId }, 'Dead-letter replay started');
    let afterId = '0';
    let loggedAt = started;
    try {
      for (;;) {
        const page = await this.deadLetters.nextToReplay(selection, afterId, upToId, PAGE_ROWS, PAGE_BYTES);
        if (page.length === 0) break;
        const batch = emptyBatch();
        const marks = page.map((letter) => ({ id: letter.id, outcome: this.decodeAgain(letter, devices, profileRoutes, batch, result) }));
        const written = await this.raw.write(batch);
        result.stored += written.inserted;
        result.duplicates += written.duplicates;
        addTouchedDays(batch, vehicleDays, chargePointDays);
        await this.deadLetters.markReplayed(marks);
        result.replayed += page.length;
        afterId = page[page.length - 1].id;
        if (Date.now() - loggedAt >= PROGRESS_EVERY_MS) {
          loggedAt = Date.now();
          this.logger.log({ ...result, lastId: afterId, upToId, seconds: Math.round((loggedAt - started) / 1000) }, 'Dead-letter replay in progress');
        }
      }
    } finally {
      // What was stored is committed: its derivation is due even if the replay stopped half way.
      await this.enqueueDerivation(vehicleDays, chargePointDays);
    }
    this.logger.log({ ...result, seconds: (Date.now() - started) / 1000 }, 'Dead-letter replay finished');
    return result;
  }

  /**
   * Decodes one dead letter again and adds what it now yields to the page's batch; returns its
   * outcome: 'stored', 'partly_stored' (its samples refused again become dead letters of their
   * own, keyed as the ingest would key them), or the reason it is still refused (it stays as it is).
   */
  private decodeAgain(letter: ReplayCandidate, devices: DeviceLookup, profileRoutes: ProfileRoutes, batch: RawBatch, result: ReplayResult): string {
    const refused = (reason: string) => (result.stillRejected[reason] = (result.stillRejected[reason] ?? 0) + 1);
    if (letter.payload.length < letter.payloadBytes) {
      refused('payload_truncated');
      return 'payload_truncated';
    }
    const context = {
      now: letter.receivedAt,
      horizonMs: this.config.ingest.backfillHorizonDays * 86_400_000,
      futureToleranceMs: FUTURE_TOLERANCE_MS,
      idTagSecret: this.config.ingest.idTagSecret,
      idTagsHashed: true,
    };
    if (!letter.topic.startsWith(`${this.config.mqttTopicRoot}/`)) {
      const profile = replayProfileDelivery(profileRoutes, letter.topic, letter.payload, letter.receivedAt, context);
      if (profile && 'refused' in profile) {
        refused(profile.refused);
        return profile.refused;
      }
      if (profile) {
        appendBatch(batch, profile.rows);
        return 'stored';
      }
    }
    const { rows } = decodeMessage(letter.topic, letter.payload, { ...context, topicRoot: this.config.mqttTopicRoot, devices });
    for (const row of rows.deadLetters) refused(row.reason);
    if (rows.deadLetters.length === 0) {
      appendBatch(batch, rows);
      return 'stored';
    }
    if (sampleRows(rows) === 0) return rows.deadLetters[0].reason;
    appendBatch(batch, rows);
    return 'partly_stored';
  }

  /** Today's registry, read once per replay: a device registered before the replay was asked for is known to it. */
  private async deviceLookup(): Promise<DeviceLookup> {
    const devices = await this.directory.byDeviceId();
    return { find: (deviceId) => devices.get(deviceId) };
  }

  /** As the ingest does after a commit; if Redis is away the reconciler finds the stored rows later. */
  private async enqueueDerivation(vehicleDays: DayRanges, chargePointDays: DayRanges): Promise<void> {
    const jobs = [...vehicleDays.take().map(({ key, days }) => deriveVehicleDays(key, days)), ...chargePointDays.take().map(({ key, days }) => deriveChargePointDays(key, days))];
    if (jobs.length === 0) return;
    await this.queue.enqueue(jobs).catch((error) => this.logger.warn({ err: error }, 'Could not enqueue derivation jobs after a replay; the reconciler will'));
  }
}
