import { Controller, Get, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DeliveryRepository } from '@leadhooks/db';
import { ErrorResponseDto } from '../../http/error-response.dto.js';
import { decodeCursor, encodeCursor } from '../../http/keyset-cursor.js';
import { ParseUuidPipe } from '../../http/parse-uuid.pipe.js';
import { AdminAuthGuard } from '../../auth/admin-auth.guard.js';
import { toDeliveryDto } from './delivery-view.js';
import { DeliveryDto, DeliveryPageDto, ListDeliveriesQueryDto } from './dto/delivery.dto.js';

@ApiTags('admin: deliveries')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, wrong or revoked API key' })
@Controller('v1/admin/deliveries')
@UseGuards(AdminAuthGuard)
export class AdminDeliveriesController {
  constructor(@Inject(DeliveryRepository) private readonly deliveries: DeliveryRepository) {}

  @Get()
  @ApiOperation({
    summary: 'The delivery log: one row per event and endpoint, newest first (cursor pagination)',
  })
  @ApiResponse({ status: 200, type: DeliveryPageDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  async list(@Query() query: ListDeliveriesQueryDto): Promise<DeliveryPageDto> {
    const limit = query.limit ?? 50;
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const page = await this.deliveries.list({
      siteId: query.site_id,
      endpointId: query.endpoint_id,
      leadId: query.lead_id,
      event: query.event,
      status: query.status,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      after: after && { createdAt: after.at, id: after.id },
      limit: limit + 1,
    });
    const items = page.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((delivery) => toDeliveryDto(delivery)),
      next_cursor: page.length > limit ? encodeCursor(last.cursorAt, last.id) : null,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One delivery with every attempt' })
  @ApiResponse({ status: 200, type: DeliveryDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  async get(@Param('id', ParseUuidPipe) id: string): Promise<DeliveryDto> {
    const delivery = await this.deliveries.findById(id);
    if (!delivery) throw new NotFoundException(`No delivery ${id}`);
    const withAttempts = (await this.deliveries.listByLead(delivery.leadId)).find((d) => d.id === id);
    return toDeliveryDto(delivery, withAttempts?.attempts ?? []);
  }
}
