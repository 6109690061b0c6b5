import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { TransactionRunner } from '../../platform/database/transaction-runner';
import { budgetSetErrors } from './budget-set-rules';
import { PublishBudgetSetDto } from './budget-set.dto';
import { BudgetSet, BudgetSetRepository, ScopeColumns } from './budget-set.repository';
import { parseScope } from './scope';

/** Budgets and targets, published as whole versioned sets like factor sets (never edited in place). */
@Injectable()
export class BudgetSetsService {
  /** Sets never change once published, so a version read once is kept. */
  private readonly cache = new Map<number, BudgetSet>();

  constructor(
    private readonly sets: BudgetSetRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  list() {
    return this.sets.list();
  }

  async get(version: number): Promise<BudgetSet> {
    const cached = this.cache.get(version);
    if (cached) return cached;
    const set = await this.sets.find(version);
    if (!set) throw new NotFoundException(`No budget set with version ${version}`);
    this.cache.set(version, set);
    return set;
  }

  /** The set a report asked for, else the newest. */
  async resolve(version: number | undefined): Promise<BudgetSet> {
    if (version !== undefined) return this.get(version);
    const latest = await this.sets.latestVersion();
    if (latest === null) throw new NotFoundException('No budget set has been published');
    return this.get(latest);
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
