import { BadRequestException, Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { parseDuration } from '@leadhooks/config';
import { DeliveryStatsRepository } from '@leadhooks/db';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { ErrorResponseDto } from '../../http/error-response.dto.js';

const MAX_WINDOW_MS = 30 * 86_400_000;

export class OverviewQueryDto {
  @ApiPropertyOptional({ example: '24h', default: '24h', description: 'up to 30d' })
  @IsOptional()
  @IsString()
  window?: string;
}

class FailingEndpointDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() site_id!: string;
  @ApiProperty() site_hostname!: string;
}

export class OverviewDto {
  @ApiProperty() window!: string;
  @ApiProperty({ description: 'deliveries created in the window, by state now' }) sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() pending!: number;
  @ApiProperty({ description: 'waiting for a retry tier (any age)' }) in_retry!: number;
  @ApiProperty({ nullable: true, type: Number }) p95_duration_ms!: number | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ description: 'FAILED deliveries of any age (in the DLTs, not replayed since)' })
  dead_letters!: number;
  @ApiProperty({ type: [FailingEndpointDto] }) failing_endpoints!: FailingEndpointDto[];
}

/** Every site at a glance (SPEC §13 overview): deliveries, retries, speed, dead letters, failing endpoints. */
@ApiTags('admin: overview')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller('v1/admin/overview')
@UseGuards(AdminAuthGuard)
export class AdminOverviewController {
  constructor(@Inject(DeliveryStatsRepository) private readonly stats: DeliveryStatsRepository) {}

  @Get()
  @ApiOperation({
    summary: 'Deliveries of the last window (default 24h), retries, p95, dead letters, failing endpoints',
  })
  @ApiResponse({ status: 200, type: OverviewDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  async get(@Query() query: OverviewQueryDto): Promise<OverviewDto> {
    const window = query.window ?? '24h';
    let windowMs: number;
    try {
      windowMs = parseDuration(window);
    } catch {
      windowMs = NaN;
    }
    if (!Number.isFinite(windowMs) || windowMs <= 0 || windowMs > MAX_WINDOW_MS)
      throw new BadRequestException({
        message: 'Invalid window',
        errors: [{ field: 'window', message: 'window must be a duration like 1h, 24h or 7d, at most 30d' }],
      });
    const overview = await this.stats.overview(windowMs);
    return {
      window,
      sent: overview.sent,
      failed: overview.failed,
      skipped: overview.skipped,
      pending: overview.pending,
      in_retry: overview.inRetry,
      p95_duration_ms: overview.p95DurationMs,
      attempts: overview.attempts,
      dead_letters: overview.deadLetters,
      failing_endpoints: overview.failingEndpoints.map((e) => ({
        id: e.id,
        name: e.name,
        site_id: e.siteId,
        site_hostname: e.siteHostname,
      })),
    };
  }
}
