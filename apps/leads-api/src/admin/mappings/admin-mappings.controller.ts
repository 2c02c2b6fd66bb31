import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { MappingPreviewDto, MappingPreviewResultDto } from './dto/mapping-preview.dto.js';
import { MappingPreviewService } from './mapping-preview.service.js';

@ApiTags('admin: endpoints')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller()
@UseGuards(AdminAuthGuard)
export class AdminMappingsController {
  constructor(@Inject(MappingPreviewService) private readonly previews: MappingPreviewService) {}

  @Post('v1/admin/mappings/preview')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Render an outbound mapping against a stored lead (or the newest of a site, or the sample lead): the body and headers that would be sent',
  })
  @ApiResponse({ status: 200, type: MappingPreviewResultDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'The mapping does not parse (position given)',
  })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such lead, site or endpoint' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'The mapping failed on this lead' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: 'Too many previews of this site at once' })
  preview(@Body() dto: MappingPreviewDto): Promise<MappingPreviewResultDto> {
    return this.previews.preview(dto);
  }
}
