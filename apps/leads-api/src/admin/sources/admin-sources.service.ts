import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  type InboundSource,
  InboundRequestRepository,
  InboundSourceRepository,
  SiteRepository,
} from '@leadhooks/db';
import {
  CUSTOM_PRESET,
  type FieldProblem,
  findPreset,
  INBOUND_PRESETS,
  type MappingInput,
  offeredHeaders,
  offeredQuery,
  type SignatureScheme,
} from '@leadhooks/inbound';
import { checkMappingSyntax, describeMappingError, type MappingError } from '@leadhooks/mapping';
import { LEADS_API_CONFIG } from '../../config/config.module.js';
import type { LeadsApiConfig } from '../../config/leads-api.config.js';
import { decodeCursor, encodeCursor } from '../../http/keyset-cursor.js';
import { inboundLeadFrom } from '../../inbound/inbound-lead.js';
import { InboundMapper } from '../../inbound/inbound-mapper.service.js';
import type {
  CreateSourceDto,
  InboundPresetDto,
  InboundRequestPageDto,
  PreviewSourceDto,
  SourcePreviewDto,
  SourceResponseDto,
  UpdateSourceDto,
} from './dto/source.dto.js';
import { toInboundRequestDto, toSourceResponse } from './source-view.js';

/**
 * Inbound sources of a site (SPEC §14): made from a preset (its mapping and signature scheme, both editable),
 * mappings checked when saved (a 400 names the position of a syntax error), the token shown on creation and
 * rotation only, the request log, and a preview of a mapping on a logged request or a sample.
 */
@Injectable()
export class AdminSourcesService {
  constructor(
    @Inject(LEADS_API_CONFIG) private readonly config: LeadsApiConfig,
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(InboundSourceRepository) private readonly sources: InboundSourceRepository,
    @Inject(InboundRequestRepository) private readonly requests: InboundRequestRepository,
    @Inject(InboundMapper) private readonly mapper: InboundMapper,
  ) {}

  presets(): InboundPresetDto[] {
    return INBOUND_PRESETS.map(({ id, label, docs, notes, signature, mapping }) => ({
      id,
      label,
      docs,
      notes,
      signature,
      mapping,
    }));
  }

  async create(siteId: string, dto: CreateSourceDto): Promise<SourceResponseDto> {
    if (!(await this.sites.findById(siteId))) throw new NotFoundException(`No site ${siteId}`);
    const preset = findPreset(dto.preset ?? CUSTOM_PRESET.id) ?? CUSTOM_PRESET;
    const signature = dto.signature ?? preset.signature;
    const secret = dto.secret ?? null;
    this.checkSecretScheme(signature, secret);
    const created = await this.sources.create({
      siteId,
      name: dto.name,
      preset: dto.preset ?? (dto.mapping === undefined ? CUSTOM_PRESET.id : null),
      mapping: this.checkedMapping(dto.mapping ?? preset.mapping),
      signature,
      secret,
    });
    if (created === 'site-missing') throw new NotFoundException(`No site ${siteId}`);
    if (created === 'name-taken') throw this.nameTaken(dto.name);
    return toSourceResponse(created.source, this.config.publicBaseUrl, created.token);
  }

  async list(siteId: string): Promise<SourceResponseDto[]> {
    if (!(await this.sites.findById(siteId))) throw new NotFoundException(`No site ${siteId}`);
    return (await this.sources.listBySite(siteId)).map((source) =>
      toSourceResponse(source, this.config.publicBaseUrl),
    );
  }

  async get(id: string): Promise<SourceResponseDto> {
    return toSourceResponse(await this.found(id), this.config.publicBaseUrl);
  }

  async update(id: string, dto: UpdateSourceDto): Promise<SourceResponseDto> {
    const before = await this.found(id);
    const signature = dto.signature ?? (before.signature as SignatureScheme);
    const secret = dto.secret === undefined ? before.secret : dto.secret;
    this.checkSecretScheme(signature, secret);
    const updated = await this.sources.update(id, {
      name: dto.name,
      mapping: dto.mapping === undefined ? undefined : this.checkedMapping(dto.mapping),
      signature: dto.signature,
      secret: dto.secret,
    });
    if (updated === 'name-taken') throw this.nameTaken(dto.name ?? '');
    if (!updated) throw new NotFoundException(`No inbound source ${id}`);
    return toSourceResponse(updated, this.config.publicBaseUrl);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.sources.delete(id))) throw new NotFoundException(`No inbound source ${id}`);
  }

  /** A new token, shown once; the old URL stops at once (rotate when it leaked, then update the tool). */
  async rotateToken(id: string): Promise<SourceResponseDto> {
    const rotated = await this.sources.rotateToken(id);
    if (!rotated) throw new NotFoundException(`No inbound source ${id}`);
    return toSourceResponse(rotated.source, this.config.publicBaseUrl, rotated.token);
  }

  async requestLog(id: string, cursor: string | undefined, limit = 20): Promise<InboundRequestPageDto> {
    await this.found(id);
    const page = await this.requests.list(id, cursor ? decodeCursor(cursor) : undefined, limit + 1);
    const items = page.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toInboundRequestDto),
      next_cursor: page.length > limit ? encodeCursor(last.cursorAt, last.id) : null,
    };
  }

  /**
   * Runs a mapping (the source's, or one being edited) on a logged request (the newest readable one unless named)
   * or on a sample, and says what lead intake would store or why it would refuse it. Nothing is stored.
   */
  async preview(id: string, dto: PreviewSourceDto): Promise<SourcePreviewDto> {
    const source = await this.found(id);
    const { input, requestId } = await this.previewInput(source, dto);
    const mapping = dto.mapping ?? source.mapping;
    const syntax = checkMappingSyntax(mapping, this.mapper.limits);
    const failure = (
      errors: FieldProblem[],
      mapped: Record<string, unknown> | null = null,
    ): SourcePreviewDto => ({
      request_id: requestId,
      mapped,
      lead: null,
      valid: false,
      errors,
    });
    if (syntax) return failure([this.mappingProblem(syntax)]);
    const result = await this.mapper.map(`preview:${source.id}`, mapping, input);
    if (result === 'busy')
      throw new ConflictException('Previews of this source are busy; try again in a moment');
    if (!result.ok) return failure([this.mappingProblem(result.error)]);
    const mapped = JSON.parse(result.json) as Record<string, unknown>;
    const verdict = inboundLeadFrom(result.json, source.name);
    if (!verdict.ok) return failure(verdict.errors, mapped);
    return {
      request_id: requestId,
      mapped,
      lead: {
        ...verdict.submission.fields,
        extra: verdict.submission.extra,
        idempotency_key: verdict.idempotencyKey,
      },
      valid: true,
      errors: [],
    };
  }

  private async previewInput(
    source: InboundSource,
    dto: PreviewSourceDto,
  ): Promise<{ input: MappingInput; requestId: string | null }> {
    if (dto.sample)
      return {
        input: {
          body: dto.sample.body,
          headers: offeredHeaders(dto.sample.headers ?? {}),
          query: offeredQuery(dto.sample.query ?? {}),
        },
        requestId: null,
      };
    const request = dto.request_id
      ? await this.requests.findById(source.id, dto.request_id)
      : await this.requests.latestReadable(source.id);
    if (!request)
      throw new NotFoundException(
        dto.request_id
          ? `No request ${dto.request_id} in this source's log`
          : 'No readable request has reached this source yet: post one from the tool, or preview on a `sample`',
      );
    if (request.bodyFormat !== 'json' || request.body === null)
      throw new ConflictException(
        `Request ${request.id}'s body could not be read, so there is nothing to map`,
      );
    if (request.bodyTruncated)
      throw new ConflictException(
        `Request ${request.id}'s body was cut at ${this.config.inbound.log.bodyMaxChars} characters in the log; preview on a \`sample\``,
      );
    return {
      input: {
        body: JSON.parse(request.body) as unknown,
        headers: (request.headers ?? {}) as Record<string, string>,
        query: (request.query ?? {}) as Record<string, unknown>,
      },
      requestId: request.id,
    };
  }

  private mappingProblem(error: MappingError): FieldProblem & { position?: number } {
    return {
      field: 'mapping',
      message: describeMappingError(error),
      ...(error.position !== undefined ? { position: error.position } : {}),
    };
  }

  private checkedMapping(mapping: string): string {
    const problem = checkMappingSyntax(mapping, this.mapper.limits);
    if (problem)
      throw new BadRequestException({
        message: `The mapping is invalid: ${describeMappingError(problem)}`,
        errors: [this.mappingProblem(problem)],
      });
    return mapping;
  }

  private checkSecretScheme(signature: SignatureScheme, secret: string | null): void {
    if (secret !== null && signature === 'none')
      throw new BadRequestException({
        message: 'A secret needs a signature scheme to check it',
        errors: [
          {
            field: 'signature',
            message:
              "signature is 'none' (the tool does not sign); choose the tool's scheme, or secret_header, to use a secret",
          },
        ],
      });
  }

  private async found(id: string): Promise<InboundSource> {
    const source = await this.sources.findById(id);
    if (!source) throw new NotFoundException(`No inbound source ${id}`);
    return source;
  }

  private nameTaken(name: string): ConflictException {
    return new ConflictException(`The site already has an inbound source named '${name}'`);
  }
}
