import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ReplayRepository } from '@leadhooks/db';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { AdminReplaysService } from './admin-replays.service.js';
import { ReplayRequestDto, ReplayResultDto } from './dto/replay-request.dto.js';
import { ReplayRunDto } from './dto/replay-run.dto.js';

@ApiTags('admin: dead letters')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller('v1/admin/replays')
@UseGuards(AdminAuthGuard)
export class AdminReplaysController {
  constructor(
    @Inject(ReplayRepository) private readonly replays: ReplayRepository,
    @Inject(AdminReplaysService) private readonly replayer: AdminReplaysService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'DLT replays (`npm run dlt -- replay` and the console): who, when, filter, counts (newest first)',
  })
  @ApiResponse({ status: 200, type: [ReplayRunDto] })
  async list(): Promise<ReplayRunDto[]> {
    return (await this.replays.listRuns()).map((run) => ReplayRunDto.of(run));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Replay dead-lettered (FAILED) deliveries by id: each back to PENDING through the delivery lock, recorded in the history',
  })
  @ApiResponse({ status: 200, type: ReplayResultDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  replay(@Body() dto: ReplayRequestDto): Promise<ReplayResultDto> {
    return this.replayer.replay(dto.delivery_ids, dto.actor ?? 'admin-api');
  }
}
