import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import mqtt, { MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { AppConfig, Role } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** The roles that use the broker: the ingest reads it, the api reports it in /health. */
export const BROKER_ROLES: readonly Role[] = ['api', 'ingest'];

/**
 * Keeps one light MQTT connection open so that /health can say whether the broker is reachable,
 * in a process that runs a role using it; a worker or an OCPP endpoint alone leaves the broker be
 * (it would only log the broker's outages as its own).
 */
@Injectable()
export class BrokerProbe implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerProbe.name);
  private client: MqttClient | undefined;
  private closing = false;

  /** Whether this process watches the broker at all. */
  readonly watched: boolean;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.watched = BROKER_ROLES.some((role) => config.roles.has(role));
  }

  onModuleInit() {
    if (!this.watched) return;
    this.client = mqtt.connect(this.config.mqttUrl, {
      clientId: `klimaklok-health-${randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      username: this.config.mqttCredentials?.username,
      password: this.config.mqttCredentials?.password,
    });
    // Once per loss, not once per reconnect attempt (every 0.5 s while the broker is down).
    let lost = false;
    this.client.on('connect', () => {
      if (lost) this.logger.log('Broker reachable again');
      lost = false;
    });
    this.client.on('error', (error) => {
      if (!lost) this.logger.warn({ err: error }, 'Broker unreachable');
      lost = true;
    });
    this.client.on('close', () => {
      if (!lost && !this.closing) this.logger.warn('Broker connection lost');
      lost = true;
    });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async onApplicationShutdown() {
    this.closing = true;
    await this.client?.endAsync(true);
  }
}
