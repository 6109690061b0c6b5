import { BadRequestException, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { FactorSet } from '../domain/factor-set';
import { factorSetErrors } from './factor-set-rules';
import { PublishFactorSetDto } from './factor-set.dto';
import { FactorSetRepository } from './factor-set.repository';
import { PublishedSets } from '../published-sets';

@Injectable()
export class FactorSetsService extends PublishedSets<FactorSet> {
  constructor(
    private readonly sets: FactorSetRepository,
    private readonly transactions: TransactionRunner,
  ) {
    super(sets, 'factor set');
  }

  list() {
    return this.sets.list();
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
