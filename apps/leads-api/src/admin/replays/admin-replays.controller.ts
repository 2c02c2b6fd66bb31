import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ReplayRepository } from '@leadhooks/db';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { AdminAuthGuard } from '../auth/admin-auth.guard.js';
import { ReplayRunDto } from './dto/replay-run.dto.js';

@ApiTags('admin: dead letters')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller('v1/admin/replays')
@UseGuards(AdminAuthGuard)
export class AdminReplaysController {
  constructor(@Inject(ReplayRepository) private readonly replays: ReplayRepository) {}

  @Get()
  @ApiOperation({
    summary: 'DLT replays recorded by `npm run dlt -- replay`: who, when, filter, counts (newest first)',
  })
  @ApiResponse({ status: 200, type: [ReplayRunDto] })
  async list(): Promise<ReplayRunDto[]> {
    return (await this.replays.listRuns()).map((run) => ReplayRunDto.of(run));
  }
}
