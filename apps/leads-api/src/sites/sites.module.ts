import { Module } from '@nestjs/common';
import { SiteDirectory } from './site-directory.service.js';

@Module({ providers: [SiteDirectory], exports: [SiteDirectory] })
export class SitesModule {}
