import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { AdminSitesService } from './admin-sites.service.js';
import {
  CreateSiteDto,
  SiteDeletionDto,
  SiteResponseDto,
  UpdateSiteDto,
  ZapierTestResultDto,
} from './dto/site.dto.js';

@ApiTags('admin: sites')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller()
@UseGuards(AdminAuthGuard)
export class AdminSitesController {
  constructor(@Inject(AdminSitesService) private readonly sites: AdminSitesService) {}

  @Post('v1/admin/sites')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a site; the signing secret is generated and shown once' })
  @ApiResponse({ status: 201, type: SiteResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'Hostname taken' })
  create(@Body() dto: CreateSiteDto): Promise<SiteResponseDto> {
    return this.sites.create(dto);
  }

  @Get('v1/admin/sites')
  @ApiResponse({ status: 200, type: [SiteResponseDto] })
  list(): Promise<SiteResponseDto[]> {
    return this.sites.list();
  }

  @Get('v1/admin/sites/:id')
  @ApiResponse({ status: 200, type: SiteResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param('id', ParseUuidPipe) id: string): Promise<SiteResponseDto> {
    return this.sites.get(id);
  }

  @Patch('v1/admin/sites/:id')
  @ApiOperation({ summary: 'Change name or Zapier settings (partial)' })
  @ApiResponse({ status: 200, type: SiteResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  update(@Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateSiteDto): Promise<SiteResponseDto> {
    return this.sites.update(id, dto);
  }

  @Delete('v1/admin/sites/:id')
  @ApiOperation({
    summary:
      'Delete a site and everything of it; its leads are erased first, each as DELETE /v1/leads/{id} does ' +
      '(docs/privacy.md)',
  })
  @ApiResponse({ status: 200, type: SiteDeletionDto, description: 'How many leads were erased' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'Leads kept arriving while it was deleted',
  })
  remove(@Param('id', ParseUuidPipe) id: string): Promise<SiteDeletionDto> {
    return this.sites.remove(id);
  }

  @Post('v1/admin/sites/:id/zapier/rotate-secret')
  @ApiOperation({
    summary: 'New signing secret (shown once); the previous one stays valid for the grace period',
  })
  @ApiResponse({ status: 201, type: SiteResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  rotateSecret(@Param('id', ParseUuidPipe) id: string): Promise<SiteResponseDto> {
    return this.sites.rotateSecret(id);
  }

  @Post('v1/sites/:id/zapier/test')
  @HttpCode(200)
  @ApiOperation({ summary: "Send a signed sample event to the site's hook now" })
  @ApiResponse({ status: 200, type: ZapierTestResultDto, description: "The receiver's status and timing" })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'No webhook URL' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  test(@Param('id', ParseUuidPipe) id: string): Promise<ZapierTestResultDto> {
    return this.sites.sendTest(id);
  }
}
