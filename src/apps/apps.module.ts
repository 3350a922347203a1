/** The apps this deployment serves, each with its WAHA and ChatWoot clients, and what their servers are. */
import { Module } from '@nestjs/common';
import { AppsService } from './apps.service';
import { ServerProfilesService } from './server-profiles.service';

@Module({ providers: [AppsService, ServerProfilesService], exports: [AppsService, ServerProfilesService] })
export class AppsModule {}
