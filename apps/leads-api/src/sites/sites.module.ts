import { Module } from '@nestjs/common';
import { DbModule } from '@leadhooks/db';
import { SiteDirectory } from './site-directory.service.js';

@Module({ imports: [DbModule], providers: [SiteDirectory], exports: [SiteDirectory] })
export class SitesModule {}
