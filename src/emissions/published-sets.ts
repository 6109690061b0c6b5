import { NotFoundException } from '@nestjs/common';
import { IsOptional, IsString, Length } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';

/*
 * Factor sets and budget sets are published alike: a whole set at a time under the next version,
 * never changed afterwards, and a report names the version it uses (default: the newest). Their
 * header tables (version, name, description, published_at, published_by) are the same; the rows
 * a version holds are each kind's own.
 */

/** What every published set is given: its name and, optionally, a description. */
export class PublishSetDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string | null;
}

export abstract class PublishedSetRepository<T> {
  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly headerTable: string,
  ) {}

  abstract find(version: number): Promise<T | null>;

  async latestVersion(): Promise<number | null> {
    const [row] = await this.dataSource.query(`SELECT max(version) AS version FROM ${this.headerTable}`);
    return row.version ?? null;
  }

  /** Every set's header, oldest first, with how many rows it holds in each table of `rowCounts` (keyed by the count's name). */
  protected listHeaders<S>(versionColumn: string, rowCounts: Record<string, string>): Promise<S[]> {
    const counts = Object.entries(rowCounts).map(([name, table]) => `(SELECT count(*)::int FROM ${table} r WHERE r.${versionColumn} = s.version) AS "${name}"`);
    return this.dataSource.query(
      `SELECT s.version, s.name, s.description, s.published_at AS "publishedAt", s.published_by AS "publishedBy", ${counts.join(', ')}
         FROM ${this.headerTable} s ORDER BY s.version`,
    );
  }

  /** Inserts a set's header under the next version number; versions are handed out one publisher at a time. */
  protected async insertHeader(manager: EntityManager, set: { name: string; description: string | null }, publishedBy: string | null): Promise<number> {
    await manager.query(`LOCK TABLE ${this.headerTable} IN SHARE ROW EXCLUSIVE MODE`);
    const [{ version }] = await manager.query(
      `INSERT INTO ${this.headerTable} (version, name, description, published_by)
       SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM ${this.headerTable} RETURNING version`,
      [set.name, set.description, publishedBy],
    );
    return version;
  }
}

export abstract class PublishedSets<T> {
  /** Sets never change once published, so a version read once is kept. */
  private readonly cache = new Map<number, T>();

  protected constructor(
    private readonly repository: PublishedSetRepository<T>,
    /** How errors name the kind: 'factor set'. */
    private readonly kind: string,
  ) {}

  async get(version: number): Promise<T> {
    const cached = this.cache.get(version);
    if (cached) return cached;
    const set = await this.repository.find(version);
    if (!set) throw new NotFoundException(`No ${this.kind} with version ${version}`);
    this.cache.set(version, set);
    return set;
  }

  /** The set a report asked for, else the newest. */
  async resolve(version: number | undefined): Promise<T> {
    if (version !== undefined) return this.get(version);
    const latest = await this.repository.latestVersion();
    if (latest === null) throw new NotFoundException(`No ${this.kind} has been published`);
    return this.get(latest);
  }
}
