import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ErrorResponseDto } from '../http/error-response.dto.js';
import { MeDto } from './dto/me.dto.js';
import { MeService } from './me.service.js';

/** `GET /v1/me`: the site a site API key acts for (Zapier's connection test and label). */
@ApiTags('site API keys')
@ApiBearerAuth()
@Controller('v1/me')
@UseGuards(ApiKeyAuthGuard)
export class MeController {
  constructor(@Inject(MeService) private readonly me: MeService) {}

  @Get()
  @ApiOperation({ summary: "Who am I: the site API key's site (id, hostname, name) and the key's name" })
  @ApiResponse({ status: 200, type: MeDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'An admin API key (not a site key)' })
  whoAmI(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    return this.me.whoAmI(principal);
  }
}
