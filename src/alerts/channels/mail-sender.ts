import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Transporter, createTransport } from 'nodemailer';
import { AppConfig } from '../../platform/config/app-config';
import { APP_CONFIG } from '../../platform/config/config.module';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
  /** The Message-ID header (`<id@domain>`); none: the transport makes one up. */
  messageId?: string;
}

/** Mail over SMTP_URL (credentials in the URL stay in the transport, never in a message or log line). */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private transport: Transporter | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.alerts.smtpUrl !== undefined;
  }

  /** Sends and returns the server's message id; errors carry the SMTP answer, not the URL. */
  async send(mail: Mail): Promise<string> {
    if (!this.config.alerts.smtpUrl) throw new Error('no SMTP server configured (SMTP_URL)');
    this.transport ??= createTransport(this.config.alerts.smtpUrl);
    try {
      const info = await this.transport.sendMail({ from: this.config.alerts.mailFrom, ...mail });
      return info.messageId;
    } catch (error) {
      const { code, responseCode } = error as { code?: string; responseCode?: number };
      throw new Error(`mail not accepted (${[code, responseCode].filter(Boolean).join(' ') || (error as Error).name})`);
    }
  }

  onApplicationShutdown() {
    this.transport?.close();
  }
}
