import { DataSource, EntityManager, EntityTarget, FindOptionsOrder, FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ConstraintFields, rethrowAsConflict } from '../../platform/database/database-errors';
import { Page } from '../../platform/http/page';

/**
 * The plain CRUD every registry table needs. Methods take an optional EntityManager so that a
 * caller's transaction (the fleet import's per-row transaction) covers them; unique and
 * foreign-key violations become 409s naming the field.
 */
export abstract class RegistryRepository<T extends ObjectLiteral & { id: string }> {
  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly entity: EntityTarget<T>,
    private readonly constraints: ConstraintFields,
    private readonly order: FindOptionsOrder<T>,
  ) {}

  protected repo(manager: EntityManager = this.dataSource.manager): Repository<T> {
    return manager.getRepository(this.entity);
  }

  findById(id: string, manager?: EntityManager): Promise<T | null> {
    return this.repo(manager).findOneBy({ id } as FindOptionsWhere<T>);
  }

  findOneBy(where: FindOptionsWhere<T>, manager?: EntityManager): Promise<T | null> {
    return this.repo(manager).findOneBy(where);
  }

  async list(where: FindOptionsWhere<T>, limit: number, offset: number): Promise<Page<T>> {
    const [items, total] = await this.repo().findAndCount({ where, order: this.order, take: limit, skip: offset });
    return { items, total, limit, offset };
  }

  async insert(values: Partial<T>, manager?: EntityManager): Promise<T> {
    try {
      const repo = this.repo(manager);
      return await repo.save(repo.create(values as T));
    } catch (error) {
      rethrowAsConflict(error, this.constraints);
    }
  }

  async update(id: string, values: Partial<T>, manager?: EntityManager): Promise<T> {
    try {
      await this.repo(manager).update(id, values as QueryDeepPartialEntity<T>);
    } catch (error) {
      rethrowAsConflict(error, this.constraints);
    }
    return (await this.findById(id, manager))!;
  }

  async delete(id: string): Promise<void> {
    try {
      await this.repo().delete(id);
    } catch (error) {
      rethrowAsConflict(error, this.constraints);
    }
  }
}
