import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type SiteApiKeyInfo, SiteApiKeyRepository, SiteRepository } from '@leadhooks/db';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { CreatedSiteKeyDto, CreateSiteKeyDto, SiteKeyDto } from './dto/site-key.dto.js';

function toSiteKeyDto(key: SiteApiKeyInfo): SiteKeyDto {
  return {
    id: key.id,
    site_id: key.siteId,
    name: key.name,
    prefix: key.prefix,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Site API keys (SPEC §12): made by an admin, shown once, used by the site's Zapier connection. */
@ApiTags('admin: site API keys')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'A site API key (admin keys only)' })
@Controller('v1/admin/sites/:id/api-keys')
@UseGuards(AdminAuthGuard)
export class AdminSiteKeysController {
  constructor(
    @Inject(SiteApiKeyRepository) private readonly keys: SiteApiKeyRepository,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Make a site API key; the key is in this answer only' })
  @ApiResponse({ status: 201, type: CreatedSiteKeyDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  async create(
    @Param('id', ParseUuidPipe) siteId: string,
    @Body() dto: CreateSiteKeyDto,
  ): Promise<CreatedSiteKeyDto> {
    const created = await this.keys.create(siteId, dto?.name ?? 'Zapier');
    if (created === 'site-missing') throw new NotFoundException(`No site ${siteId}`);
    return { ...toSiteKeyDto(created.info), key: created.key };
  }

  @Get()
  @ApiOperation({ summary: "The site's keys (never the keys themselves), revoked ones included" })
  @ApiResponse({ status: 200, type: [SiteKeyDto] })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  async list(@Param('id', ParseUuidPipe) siteId: string): Promise<SiteKeyDto[]> {
    if (!(await this.sites.findById(siteId))) throw new NotFoundException(`No site ${siteId}`);
    return (await this.keys.list(siteId)).map(toSiteKeyDto);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key: its next request is refused' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such live key on this site' })
  async revoke(
    @Param('id', ParseUuidPipe) siteId: string,
    @Param('keyId', ParseUuidPipe) keyId: string,
  ): Promise<void> {
    if (!(await this.keys.revoke(siteId, keyId)))
      throw new NotFoundException(`Site ${siteId} has no live API key ${keyId}`);
  }
}
