import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerHost } from './worker-host.service';

/** The worker role's job runner; handlers live in their modules, marked @JobProcessor. */
@Module({ imports: [DiscoveryModule], providers: [WorkerHost] })
export class WorkerModule {}
