import { ApiProperty } from '@nestjs/swagger';
import type { ReplayRun } from '@leadhooks/db';

/** One recorded DLT replay (`npm run dlt -- replay`), snake_case like every other answer. */
export class ReplayRunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ops@acme' }) actor!: string;
  @ApiProperty() started_at!: string;
  @ApiProperty({ nullable: true, type: String }) finished_at!: string | null;
  @ApiProperty({ type: Object, description: 'the filters the replay was run with' }) filter!: Record<
    string,
    unknown
  >;
  @ApiProperty() dry_run!: boolean;
  @ApiProperty() selected!: number;
  @ApiProperty() replayed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() failed!: number;

  static of(run: ReplayRun): ReplayRunDto {
    return {
      id: run.id,
      actor: run.actor,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      filter: run.filter,
      dry_run: run.dryRun,
      selected: run.selected,
      replayed: run.replayed,
      skipped: run.skipped,
      failed: run.failed,
    };
  }
}
