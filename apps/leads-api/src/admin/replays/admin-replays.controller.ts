import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ReplayRepository, type ReplayRun } from '@leadhooks/db';
import { AdminAuthGuard } from '../auth/admin-auth.guard.js';

/** DLT replays recorded by `npm run dlt -- replay` (who, when, filter, counts). */
@Controller('v1/admin/replays')
@UseGuards(AdminAuthGuard)
export class AdminReplaysController {
  constructor(@Inject(ReplayRepository) private readonly replays: ReplayRepository) {}

  @Get()
  list(): Promise<ReplayRun[]> {
    return this.replays.listRuns();
  }
}
