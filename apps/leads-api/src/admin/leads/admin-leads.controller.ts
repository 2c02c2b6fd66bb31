import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { AdminAuthGuard } from '../auth/admin-auth.guard.js';
import { AdminLeadsService } from './admin-leads.service.js';
import { LeadDto, LeadPageDto, ListLeadsQueryDto, RedeliverDto, RedeliveryDto } from './dto/lead.dto.js';
import { UpdateLeadDto } from './dto/update-lead.dto.js';

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
  @ApiOperation({
    summary: 'A lead with its zapier delivery state, its attempts, and every delivery to every endpoint',
  })
  @ApiResponse({ status: 200, type: LeadDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param('id', ParseUuidPipe) id: string): Promise<LeadDto> {
    return this.leads.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change a lead; a real change emits lead.updated (with changes and version), a no-op emits nothing',
  })
  @ApiResponse({ status: 200, type: LeadDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  update(@Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateLeadDto): Promise<LeadDto> {
    return this.leads.update(id, dto);
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: "Send a lead's lead.created through delivery again (never a delivery already SENT)",
  })
  @ApiResponse({ status: 202, type: RedeliveryDto, description: 'Queued for delivery' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'Already SENT, a delivery in flight, or no endpoint takes it',
  })
  redeliver(@Param('id', ParseUuidPipe) id: string, @Body() dto: RedeliverDto): Promise<RedeliveryDto> {
    return this.leads.redeliver(id, dto?.endpoint_id);
  }
}
