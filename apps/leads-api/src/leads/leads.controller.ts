import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Inject,
  Ip,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { FlatPayload } from '@leadhooks/contracts';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ErrorResponseDto } from '../http/error-response.dto.js';
import { ParseUuidPipe } from '../http/parse-uuid.pipe.js';
import { LeadSubmissionDto } from '../intake/dto/lead-submission.dto.js';
import {
  CreateLeadQueryDto,
  LeadDto,
  LeadPageDto,
  ListLeadsQueryDto,
  RedeliverDto,
  RedeliveryDto,
  SearchLeadsQueryDto,
} from './dto/lead.dto.js';
import { ErasureDto } from './dto/erasure.dto.js';
import { UpdateLeadDto } from './dto/update-lead.dto.js';
import { LeadsService } from './leads.service.js';

/**
 * Leads, for admin keys (every site) and site keys (their own site, SPEC §12): list, read, change, create,
 * search. Another site's lead is a 404 to a site key, as if it did not exist.
 */
@ApiTags('leads')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@ApiExtraModels(LeadPageDto)
@Controller('v1/leads')
@UseGuards(ApiKeyAuthGuard)
export class LeadsController {
  constructor(@Inject(LeadsService) private readonly leads: LeadsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Admin key: leads by site, status and time (newest first, cursor pagination). Site key: the newest `limit` ' +
      "(default 3) of the site's events in the exact flat webhook shape (Zapier's sample list; `event` picks lead.created, lead.updated or lead.deleted)",
  })
  @ApiOkResponse({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(LeadPageDto) },
        { type: 'array', items: { type: 'object', additionalProperties: true } },
      ],
    },
  })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  list(
    @Query() query: ListLeadsQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<LeadPageDto | FlatPayload[]> {
    if (principal.kind === 'site')
      return this.leads.samples(principal.siteId, query.event ?? 'lead.created', query.limit ?? 3);
    return this.leads.list(query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      "Create a lead (Zapier's create_lead): validated like a form's lead, lead_source `zapier` unless given; " +
      'its lead.created goes to every subscribed endpoint',
  })
  @ApiBody({ type: LeadSubmissionDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the first lead (200), never a second lead',
  })
  @ApiResponse({ status: 201, type: LeadDto, description: 'Created' })
  @ApiResponse({ status: 200, type: LeadDto, description: 'Created before with this Idempotency-Key' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Invalid fields (each named)' })
  async create(
    @Body() body: unknown,
    @Query() query: CreateLeadQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LeadDto> {
    const { lead, replayed } = await this.leads.create(body, principal, query.site_id, {
      clientIp: ip ?? null,
      userAgent: userAgent?.slice(0, 500) ?? null,
      idempotencyKey: idempotencyKey?.slice(0, 200) || null,
    });
    if (replayed) void reply.status(200).header('idempotent-replayed', 'true');
    return lead;
  }

  @Get('search')
  @ApiOperation({
    summary: "Find leads by email (any case) or phone (its digits), newest first (Zapier's find_lead)",
  })
  @ApiResponse({ status: 200, type: [LeadDto] })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  search(@Query() query: SearchLeadsQueryDto, @CurrentPrincipal() principal: Principal): Promise<LeadDto[]> {
    return this.leads.search(query, principal);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A lead with its zapier delivery state, its attempts, and every delivery to every endpoint',
  })
  @ApiResponse({ status: 200, type: LeadDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param('id', ParseUuidPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<LeadDto> {
    return this.leads.get(id, principal);
  }

  @Delete(':id')
  @ApiOperation({
    summary:
      "Erase a lead's personal data from every store (docs/privacy.md): its fields, its data key (every copy of its " +
      'events in the outbox and in Kafka becomes unreadable), delivery errors and snippets, inbound requests. ' +
      'Pending deliveries end SKIPPED (`erased`); nothing is sent for it once this answers. Audited',
  })
  @ApiResponse({ status: 200, type: ErasureDto, description: 'What was erased (or the earlier erasure)' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  erase(
    @Param('id', ParseUuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ErasureDto> {
    return this.leads.erase(id, principal);
  }

  @Get(':id/export')
  @ApiOperation({
    summary:
      'Everything stored about a lead as one JSON document: the lead, its deliveries, attempts, updates, inbound ' +
      'requests and erasures',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  exportLead(
    @Param('id', ParseUuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    return this.leads.export(id, principal) as unknown as Promise<Record<string, unknown>>;
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change a lead; a real change emits lead.updated (with changes and version), a no-op emits nothing',
  })
  @ApiResponse({ status: 200, type: LeadDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateLeadDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<LeadDto> {
    return this.leads.update(id, dto, principal);
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: "Admin key: send a lead's lead.created through delivery again (never a delivery already SENT)",
  })
  @ApiResponse({ status: 202, type: RedeliveryDto, description: 'Queued for delivery' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'A site API key' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'Already SENT, a delivery in flight, or no endpoint takes it',
  })
  redeliver(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: RedeliverDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RedeliveryDto> {
    if (principal.kind !== 'admin')
      throw new ForbiddenException('Redelivery needs an admin API key; a site API key cannot use it');
    return this.leads.redeliver(id, dto?.endpoint_id);
  }
}
