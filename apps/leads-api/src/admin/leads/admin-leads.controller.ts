import { Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { AdminAuthGuard } from '../auth/admin-auth.guard.js';
import { AdminLeadsService } from './admin-leads.service.js';
import { LeadDto, LeadPageDto, ListLeadsQueryDto } from './dto/lead.dto.js';

@ApiTags('admin: leads')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller('v1/leads')
@UseGuards(AdminAuthGuard)
export class AdminLeadsController {
  constructor(@Inject(AdminLeadsService) private readonly leads: AdminLeadsService) {}

  @Get()
  @ApiOperation({ summary: 'List leads by site, status and time (newest first, cursor pagination)' })
  @ApiResponse({ status: 200, type: LeadPageDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  list(@Query() query: ListLeadsQueryDto): Promise<LeadPageDto> {
    return this.leads.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A lead with its delivery state and every attempt' })
  @ApiResponse({ status: 200, type: LeadDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param('id', ParseUuidPipe) id: string): Promise<LeadDto> {
    return this.leads.get(id);
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a lead through delivery again (never one already SENT)' })
  @ApiResponse({ status: 202, description: 'Queued for delivery' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'Already SENT, or a delivery is in flight',
  })
  redeliver(@Param('id', ParseUuidPipe) id: string): Promise<{ id: string; zapier_status: 'PENDING' }> {
    return this.leads.redeliver(id);
  }
}
