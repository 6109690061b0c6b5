import { BadRequestException, Injectable } from '@nestjs/common';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { budgetSetErrors } from './budget-set-rules';
import { PublishBudgetSetDto } from './budget-set.dto';
import { BudgetSet, BudgetSetRepository, ScopeColumns } from './budget-set.repository';
import { parseScope } from './scope';
import { PublishedSets } from '../published-sets';

/** Budgets and targets, published as whole versioned sets like factor sets (never edited in place). */
@Injectable()
export class BudgetSetsService extends PublishedSets<BudgetSet> {
  constructor(
    private readonly sets: BudgetSetRepository,
    private readonly transactions: TransactionRunner,
  ) {
    super(sets, 'budget set');
  }

  list() {
    return this.sets.list();
  }

  async publish(body: PublishBudgetSetDto, publishedBy: string): Promise<BudgetSet> {
    const departmentIds = [...body.budgets, ...body.targets]
      .map((row) => parseScope(row.scope))
      .filter((scope) => scope?.kind === 'department')
      .map((scope) => scope!.key);
    const errors = budgetSetErrors(body.budgets, body.targets, await this.sets.existingDepartments([...new Set(departmentIds)]));
    if (errors.length > 0) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid budget set', errors });
    const columns = (scope: string): ScopeColumns => {
      const parsed = parseScope(scope)!;
      return { scopeKind: parsed.kind, scopeKey: parsed.key };
    };
    const version = await this.transactions.run((manager) =>
      this.sets.insert(
        manager,
        {
          name: body.name,
          description: body.description ?? null,
          budgets: body.budgets.map((b) => ({ ...b, ...columns(b.scope) })),
          targets: body.targets.map((t) => ({
            name: t.name,
            scope: t.scope,
            kind: t.kind,
            year: t.year,
            boundary: t.boundary ?? 'ttw',
            baseYear: t.kind === 'change' ? t.baseYear! : null,
            changePct: t.kind === 'change' ? t.changePct! : null,
            shareBasis: t.kind === 'zeroEmissionShare' ? t.shareBasis! : null,
            sharePct: t.kind === 'zeroEmissionShare' ? t.sharePct! : null,
            maxKg: t.kind === 'absolute' ? t.maxKg! : null,
            ...columns(t.scope),
          })),
        },
        publishedBy,
      ),
    );
    return this.get(version);
  }
}
