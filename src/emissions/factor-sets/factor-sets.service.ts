import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { FactorSet } from '../domain/factor-set';
import { factorSetErrors } from './factor-set-rules';
import { PublishFactorSetDto } from './factor-set.dto';
import { FactorSetRepository } from './factor-set.repository';

@Injectable()
export class FactorSetsService {
  /** Sets never change once published, so a version read once is kept. */
  private readonly cache = new Map<number, FactorSet>();

  constructor(
    private readonly sets: FactorSetRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  list() {
    return this.sets.list();
  }

  async get(version: number): Promise<FactorSet> {
    const cached = this.cache.get(version);
    if (cached) return cached;
    const set = await this.sets.find(version);
    if (!set) throw new NotFoundException(`No factor set with version ${version}`);
    this.cache.set(version, set);
    return set;
  }

  /** The set a report asked for, else the newest. */
  async resolve(version: number | undefined): Promise<FactorSet> {
    if (version !== undefined) return this.get(version);
    const latest = await this.sets.latestVersion();
    if (latest === null) throw new NotFoundException('No factor set has been published');
    return this.get(latest);
  }

  async publish(body: PublishFactorSetDto, publishedBy: string | null): Promise<FactorSet> {
    const errors = factorSetErrors(body.factors, body.consumption);
    if (errors.length > 0) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid factor set', errors });
    const version = await this.transactions.run((manager) =>
      this.sets.insert(
        manager,
        {
          name: body.name,
          description: body.description ?? null,
          factors: body.factors.map((f) => ({ ...f, gridMethod: f.gridMethod ?? null, energyKwhPerUnit: f.energyKwhPerUnit ?? null, note: f.note ?? null })),
          consumption: body.consumption.map((c) => ({ ...c, note: c.note ?? null })),
        },
        publishedBy,
      ),
    );
    return this.get(version);
  }
}
