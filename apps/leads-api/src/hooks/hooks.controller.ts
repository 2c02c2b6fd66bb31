import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  HttpCode,
  Inject,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ErrorResponseDto } from '../http/error-response.dto.js';
import { ParseUuidPipe } from '../http/parse-uuid.pipe.js';
import { HookDto, SubscribeHookDto } from './dto/hook.dto.js';
import { HooksService } from './hooks.service.js';

function siteOf(principal: Principal): string {
  if (principal.kind !== 'site')
    throw new ForbiddenException("REST hooks belong to a site: use the site's API key (lh_site_…)");
  return principal.siteId;
}

/** Zapier REST hooks (SPEC §12): subscribe and unsubscribe a target URL, with a site API key. */
@ApiTags('REST hooks (Zapier)')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'Not a site API key' })
@Controller('v1/hooks')
@UseGuards(ApiKeyAuthGuard)
export class HooksController {
  constructor(@Inject(HooksService) private readonly hooks: HooksService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Subscribe a target URL to lead.created or lead.updated (performSubscribe)' })
  @ApiResponse({ status: 201, type: HookDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'Too many subscriptions' })
  subscribe(@Body() dto: SubscribeHookDto, @CurrentPrincipal() principal: Principal): Promise<HookDto> {
    return this.hooks.subscribe(siteOf(principal), dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe (performUnsubscribe); nothing more is sent to it' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  unsubscribe(
    @Param('id', ParseUuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.hooks.unsubscribe(siteOf(principal), id);
  }
}
