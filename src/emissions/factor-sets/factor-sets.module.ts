import { Module } from '@nestjs/common';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { FactorSetRepository } from './factor-set.repository';
import { FactorSetsService } from './factor-sets.service';

/** The published factor sets, for every module that turns energy into emissions (emissions, charging). */
@Module({
  providers: [TransactionRunner, FactorSetRepository, FactorSetsService],
  exports: [FactorSetsService],
})
export class FactorSetsModule {}
