import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Ip,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorResponseDto } from '../http/error-response.dto.js';
import { LeadAcceptedDto } from './dto/lead-accepted.dto.js';
import { LeadSubmissionDto } from './dto/lead-submission.dto.js';
import { IntakeThrottlerGuard } from './intake-throttler.guard.js';
import { LeadSubmissionPipe, type Submission } from './lead-submission.pipe.js';
import { IntakeService } from './intake.service.js';
import { redirectTarget } from './redirect-target.js';

@ApiTags('intake')
@Controller('v1/sites/:hostname/leads')
export class IntakeController {
  constructor(@Inject(IntakeService) private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(201)
  @UseGuards(IntakeThrottlerGuard)
  @ApiOperation({ summary: 'Submit a lead from a web form (JSON or application/x-www-form-urlencoded)' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data')
  @ApiBody({
    type: LeadSubmissionDto,
    description:
      'Known fields map to columns; any other fields (values or lists of values) are kept in `extra`.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeat returns the first lead; no second lead or event',
  })
  @ApiQuery({
    name: 'redirect',
    required: false,
    description: "URL on the site's own host: answer 303 there instead of JSON",
  })
  @ApiResponse({ status: 201, type: LeadAcceptedDto, description: 'Stored; delivery happens asynchronously' })
  @ApiResponse({ status: 303, description: 'Stored; browser redirected to `redirect`' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'Invalid fields (each named)' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'Unknown site' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: 'Body too large' })
  @ApiResponse({ status: 415, type: ErrorResponseDto, description: 'Unsupported content type' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: 'Rate limited (see Retry-After)' })
  async submit(
    @Param('hostname') hostname: string,
    @Body(LeadSubmissionPipe) submission: Submission,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Query('redirect') redirect: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LeadAcceptedDto> {
    const target = redirectTarget(redirect, hostname);
    const accepted = await this.intake.submit(submission, {
      hostname,
      clientIp: ip ?? null,
      userAgent: userAgent?.slice(0, 500) ?? null,
      idempotencyKey: idempotencyKey?.slice(0, 200) ?? null,
    });
    if (target) void reply.status(303).header('location', target);
    return accepted;
  }
}
