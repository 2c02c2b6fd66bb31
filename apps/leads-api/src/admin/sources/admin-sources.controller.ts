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
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { AdminSourcesService } from './admin-sources.service.js';
import {
  CreateSourceDto,
  InboundPresetDto,
  InboundRequestPageDto,
  ListRequestsQueryDto,
  PreviewSourceDto,
  SourcePreviewDto,
  SourceResponseDto,
  UpdateSourceDto,
} from './dto/source.dto.js';

/**
 * Admin keys only, like every `/v1/admin` route: a site key is refused (403) here, whatever its site (site keys act
 * through `/v1/leads` and `/v1/hooks`, SPEC §12).
 */
@ApiTags('admin: inbound sources')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller()
@UseGuards(AdminAuthGuard)
export class AdminSourcesController {
  constructor(@Inject(AdminSourcesService) private readonly sources: AdminSourcesService) {}

  @Get('v1/admin/inbound-presets')
  @ApiOperation({ summary: 'The form tools a source can start from: mapping, signature scheme, setup notes' })
  @ApiResponse({ status: 200, type: [InboundPresetDto] })
  presets(): InboundPresetDto[] {
    return this.sources.presets();
  }

  @Post('v1/admin/sites/:id/sources')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add an inbound source; its URL (with the token) is shown in full only in this answer',
  })
  @ApiResponse({ status: 201, type: SourceResponseDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Invalid fields; a mapping syntax error names its position',
  })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such site' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The site has a source with this name' })
  create(
    @Param('id', ParseUuidPipe) siteId: string,
    @Body() dto: CreateSourceDto,
  ): Promise<SourceResponseDto> {
    return this.sources.create(siteId, dto);
  }

  @Get('v1/admin/sites/:id/sources')
  @ApiResponse({ status: 200, type: [SourceResponseDto] })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  list(@Param('id', ParseUuidPipe) siteId: string): Promise<SourceResponseDto[]> {
    return this.sources.list(siteId);
  }

  @Get('v1/admin/sources/:id')
  @ApiResponse({ status: 200, type: SourceResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param('id', ParseUuidPipe) id: string): Promise<SourceResponseDto> {
    return this.sources.get(id);
  }

  @Patch('v1/admin/sources/:id')
  @ApiOperation({
    summary: 'Change a source (partial): name, mapping, signature scheme, secret (null removes it)',
  })
  @ApiResponse({ status: 200, type: SourceResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto })
  update(@Param('id', ParseUuidPipe) id: string, @Body() dto: UpdateSourceDto): Promise<SourceResponseDto> {
    return this.sources.update(id, dto);
  }

  @Delete('v1/admin/sources/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a source and its request log: its URL stops at once; its leads stay' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  remove(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    return this.sources.remove(id);
  }

  @Post('v1/admin/sources/:id/rotate-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'New token (shown once); the old URL stops working at once' })
  @ApiResponse({ status: 200, type: SourceResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  rotateToken(@Param('id', ParseUuidPipe) id: string): Promise<SourceResponseDto> {
    return this.sources.rotateToken(id);
  }

  @Get('v1/admin/sources/:id/requests')
  @ApiOperation({ summary: "The source's request log, newest first (cursor pagination)" })
  @ApiResponse({ status: 200, type: InboundRequestPageDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  requests(
    @Param('id', ParseUuidPipe) id: string,
    @Query() query: ListRequestsQueryDto,
  ): Promise<InboundRequestPageDto> {
    return this.sources.requestLog(id, query.cursor, query.limit);
  }

  @Post('v1/admin/sources/:id/preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run a mapping on a logged request (default: the newest) or a sample: the lead it makes, or why not',
  })
  @ApiResponse({ status: 200, type: SourcePreviewDto })
  @ApiResponse({
    status: 404,
    type: ErrorResponseDto,
    description: 'No such source, or no request to run on',
  })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The logged body was cut or unreadable' })
  preview(@Param('id', ParseUuidPipe) id: string, @Body() dto: PreviewSourceDto): Promise<SourcePreviewDto> {
    return this.sources.preview(id, dto);
  }
}
