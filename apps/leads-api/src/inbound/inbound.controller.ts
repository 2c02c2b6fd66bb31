import { Controller, Headers, HttpCode, Inject, Ip, Param, Post, Query, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorResponseDto } from '../http/error-response.dto.js';
import { LeadAcceptedDto } from '../intake/dto/lead-accepted.dto.js';
import { type CapturedBody, InboundBody } from './inbound-body-capture.js';
import { answerError, InboundService } from './inbound.service.js';

@ApiTags('inbound')
@Controller('v1/inbound')
export class InboundController {
  constructor(@Inject(InboundService) private readonly inbound: InboundService) {}

  @Post(':token')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "A form tool's webhook (Typeform, Tally, Jotform, Webflow, Gravity Forms, any JSON or form): mapped to a lead",
  })
  @ApiParam({
    name: 'token',
    description: "The source's token (a credential: the URL is the source's address)",
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data')
  @ApiResponse({
    status: 201,
    type: LeadAcceptedDto,
    description: 'Stored (or a repeat of a stored submission: Idempotent-Replayed: true)',
  })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'The body cannot be read as its type says',
  })
  @ApiResponse({
    status: 401,
    type: ErrorResponseDto,
    description: 'Signature missing or wrong (the source has a secret)',
  })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No source has this URL' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: 'Body too large' })
  @ApiResponse({ status: 415, type: ErrorResponseDto, description: 'Not JSON, urlencoded or multipart' })
  @ApiResponse({
    status: 422,
    type: ErrorResponseDto,
    description: 'The body does not map to a valid lead (each field named)',
  })
  @ApiResponse({
    status: 429,
    type: ErrorResponseDto,
    description: 'Over the source’s or site’s rate (see Retry-After)',
  })
  async receive(
    @Param('token') token: string,
    @InboundBody() body: CapturedBody,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Query() query: unknown,
    @Ip() ip: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LeadAcceptedDto> {
    const answer = await this.inbound.receive({ token, body, headers, query, clientIp: ip ?? null });
    void reply.headers(answer.headers);
    if (answer.status >= 400) throw answerError(answer);
    return answer.body as LeadAcceptedDto;
  }
}
