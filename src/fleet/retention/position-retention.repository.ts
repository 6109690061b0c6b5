import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

@Injectable()
export class PositionRetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async eraseBefore(before: Date): Promise<{ samples: number; trips: number }> {
    // TypeORM answers UPDATE with [rows, affected count].
    const [, samples] = await this.dataSource.query(`UPDATE vehicle_samples SET lat = NULL, lon = NULL WHERE ts < $1 AND lat IS NOT NULL`, [before]);
    const [, trips] = await this.dataSource.query(
      `UPDATE trips SET start_lat = NULL, start_lon = NULL, end_lat = NULL, end_lon = NULL
        WHERE started_at < $1 AND (start_lat IS NOT NULL OR end_lat IS NOT NULL)`,
      [before],
    );
    await this.dataSource.query(`UPDATE vehicle_state SET lat = NULL, lon = NULL, position_at = NULL WHERE position_at < $1`, [before]);
    return { samples, trips };
  }
}
