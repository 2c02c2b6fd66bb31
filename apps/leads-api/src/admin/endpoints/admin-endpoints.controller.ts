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
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { AdminEndpointsService } from './admin-endpoints.service.js';
import {
  CreateEndpointDto,
  EndpointResponseDto,
  EndpointStatsDto,
  EndpointStatsQueryDto,
  EndpointTestDto,
  EndpointTestResultDto,
  RotateSecretDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto.js';

@ApiTags('admin: endpoints')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller()
@UseGuards(AdminAuthGuard)
export class AdminEndpointsController {
  constructor(@Inject(AdminEndpointsService) private readonly endpoints: AdminEndpointsService) {}

  @Post('v1/admin/sites/:id/endpoints')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a destination to a site; its signing secret is generated and shown once' })
  @ApiResponse({ status: 201, type: EndpointResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such site' })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'The site has an endpoint with this name',
  })
  create(
    @Param('id', ParseUuidPipe) siteId: string,
    @Body() dto: CreateEndpointDto,
  ): Promise<EndpointResponseDto> {
    return this.endpoints.create(siteId, dto);
  }

  @Get('v1/admin/sites/:id/endpoints')
  @ApiOperation({ summary: "A site's endpoints (the `zapier` one is its §10 hook)" })
  @ApiResponse({ status: 200, type: [EndpointResponseDto] })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  list(@Param('id', ParseUuidPipe) siteId: string): Promise<EndpointResponseDto[]> {
    return this.endpoints.list(siteId);
  }

  @Get('v1/admin/endpoints/:id')
  @ApiResponse({ status: 200, type: EndpointResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  get(@Param('id', ParseUuidPipe) id: string): Promise<EndpointResponseDto> {
    return this.endpoints.get(id);
  }

  @Patch('v1/admin/endpoints/:id')
  @ApiOperation({
    summary: 'Change an endpoint (partial); disabling or unsubscribing ends its pending deliveries SKIPPED',
  })
  @ApiResponse({ status: 200, type: EndpointResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'Name taken, or renaming the zapier endpoint',
  })
  update(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: UpdateEndpointDto,
  ): Promise<EndpointResponseDto> {
    return this.endpoints.update(id, dto);
  }

  @Delete('v1/admin/endpoints/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an endpoint: nothing more is sent to it; its delivery history stays' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'The zapier endpoint (disable it instead)',
  })
  remove(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    return this.endpoints.remove(id);
  }

  @Post('v1/admin/endpoints/:id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a sample event to the endpoint now, as a real delivery goes; see the answer',
  })
  @ApiResponse({ status: 200, type: EndpointTestResultDto, description: "The receiver's status and timing" })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'No URL' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  test(@Param('id', ParseUuidPipe) id: string, @Body() dto: EndpointTestDto): Promise<EndpointTestResultDto> {
    return this.endpoints.sendTest(id, dto?.event, dto?.secret);
  }

  @Post('v1/admin/endpoints/:id/rotate-secret')
  @ApiOperation({
    summary:
      'New signing secret (shown once). standard_webhooks: active now, the previous one signed with too for the grace period; secret_header and hmac_sha256_hex: staged, sent once activated (or from activate_at)',
  })
  @ApiResponse({ status: 201, type: EndpointResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  rotateSecret(
    @Param('id', ParseUuidPipe) id: string,
    @Body() dto: RotateSecretDto,
  ): Promise<EndpointResponseDto> {
    return this.endpoints.rotateSecret(id, dto ?? {});
  }

  @Post('v1/admin/endpoints/:id/activate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Second step of a rotation: the staged secret becomes the one sent; the old one stays as previous for the grace period',
  })
  @ApiResponse({ status: 200, type: EndpointResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'No rotation is staged' })
  activateSecret(@Param('id', ParseUuidPipe) id: string): Promise<EndpointResponseDto> {
    return this.endpoints.activateSecret(id);
  }

  @Get('v1/admin/endpoints/:id/stats')
  @ApiOperation({
    summary: 'Sent, failed, in retry, success rate, p50/p95 duration, consecutive failures, failing flag',
  })
  @ApiResponse({ status: 200, type: EndpointStatsDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  stats(
    @Param('id', ParseUuidPipe) id: string,
    @Query() query: EndpointStatsQueryDto,
  ): Promise<EndpointStatsDto> {
    return this.endpoints.endpointStats(id, query.window);
  }
}
