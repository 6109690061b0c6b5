import { Client } from 'pg';

/** Direct SQL against a test database, for assertions on what the service stored. */
export class Sql {
  private constructor(private readonly client: Client) {}

  static async connect(url: string): Promise<Sql> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new Sql(client);
  }

  async rows<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(text, params)).rows as T[];
  }

  async count(text: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.rows<{ count: string }>(`SELECT count(*) AS count FROM (${text}) AS counted`, params);
    return Number(row.count);
  }

  /** Polls until the query counts `expected` rows (the pipeline is asynchronous by design). */
  async waitForCount(text: string, expected: number, params: unknown[] = [], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    while (Date.now() < deadline) {
      last = await this.count(text, params);
      if (last === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`expected ${expected} rows, found ${last}: ${text}`);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
