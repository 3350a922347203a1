/**
 * Which WAHA the simulator is: engine, version and tier, and what follows from them. Every version floor below is
 * the first release with the behaviour, from WAHA's changelog (shared/specs/waha/changelog.md, "CL") or the
 * devlikeapro/waha commit that made the change (first release found by git ancestry).
 */
import { versionAtLeast } from '../common/versions';
import type { WahaEngine } from './waha-format';

export { compareVersions, versionAtLeast } from '../common/versions';

export const SINCE = {
  /** CL 2024.9.1 "Add GET /api/server/version and /api/server/environment endpoints" (commit f014bb45). */
  serverVersionRoute: '2024.9.1',
  /** CL 2024.12.6 "Add Get chat picture API" (GET /api/{session}/chats/{chatId}/picture). */
  chatPicture: '2024.12.6',
  /** CL 2025.4.2 "Add filter.ack…"; commit b09ef98d "default limit to 10 in messages" (100 before). */
  ackFilterAndLimit10: '2025.4.2',
  /** CL 2025.5.4 "Add Contacts - Lids API to map @lid to @c.us - #957" (commit 72d69eea). */
  lidsApi: '2025.5.4',
  /** CL 2025.6.6 "Return 501 Not Implemented if engine does not support API" (commit 49295090); 422 before. */
  notImplemented501: '2025.6.6',
  /** Commit dd4edd5a "show the engine name in errors": the 422/501 texts name the engine. */
  engineInErrors: '2025.8.2',
  /** CL 2025.10.5 "Add sortOrder and sortBy to /messages API" (commit 4aef38ff); unknown (stripped) before. */
  sortOrder: '2025.10.5',
  /** Commit 324ab11f (fix #1602): sortBy=messageTimestamp accepted (rewritten to timestamp); 400 on 2025.10.5. */
  sortByMessageTimestamp: '2025.11.1',
  /** Commit 29326753: `platform` in the version object. */
  platformInVersion: '2025.12.3',
  /** CL 2026.1.4 "Webhook - add worker.id - #1840" (commit 2782a188): `worker` in the version object. */
  workerInVersion: '2026.1.4',
  /** CL 2026.3.1 "NOWEB|GOWS - merge flag…", "NOWEB - merge @lid and @c.us messages…", "GOWS - merge @lid and @c.us…". */
  mergedLidChats: '2026.3.1',
  /** CL 2026.3.1 "WPP - Add WPP engine - fix #101". */
  wppEngine: '2026.3.1',
  /** CL 2026.6.1 "WAHA Plus features are now part of the WAHA Core image" (blog waha-2026-6: media sending). */
  plusInCore: '2026.6.1',
} as const;

/** WEBJS and WPP run WhatsApp Web in a browser; NOWEB and GOWS speak the protocol themselves. */
export function isBrowserEngine(engine: WahaEngine): boolean {
  return engine === 'WEBJS' || engine === 'WPP';
}

export interface WahaProfileOptions {
  engine: WahaEngine;
  version: string;
  tier: 'CORE' | 'PLUS';
}

export class WahaProfile {
  constructor(private readonly opts: () => WahaProfileOptions) {}

  get engine(): WahaEngine {
    return this.opts().engine;
  }

  get version(): string {
    return this.opts().version;
  }

  since(feature: keyof typeof SINCE): boolean {
    return versionAtLeast(this.opts().version, SINCE[feature]);
  }

  /** Media sending needs Plus before 2026.6.1. */
  get mediaSendingAllowed(): boolean {
    return this.opts().tier === 'PLUS' || this.since('plusInCore');
  }

  /**
   * NotImplementedByEngineError (src/core/exceptions.ts): 422 "The method is not implemented by the engine." until
   * 2025.6.5, 501 from 2025.6.6, naming the engine from 2025.8.2.
   */
  notImplemented(detail?: string): { status: number; body: Record<string, unknown> } {
    const engine = this.opts().engine;
    let message = 'The method is not implemented by the engine.';
    if (this.since('engineInErrors')) {
      const base = `The method is not implemented by '${engine}' engine. Check the docs and try another engine: https://waha.devlike.pro/`;
      message = detail ? `${detail} ${base}` : base;
    } else if (detail) {
      message = `${message} ${detail}`;
    }
    return this.since('notImplemented501')
      ? { status: 501, body: { statusCode: 501, message, error: 'Not Implemented' } }
      : { status: 422, body: { statusCode: 422, message, error: 'Unprocessable Entity' } };
  }

  /**
   * AvailableInPlusVersion (src/core/exceptions.ts, an UnprocessableEntityException): 422, naming the container's
   * default engine from 2025.8.2.
   */
  availableInPlus(): { status: number; body: Record<string, unknown> } {
    const engine = this.since('engineInErrors') ? ` for '${this.opts().engine}' engine` : '';
    return {
      status: 422,
      body: {
        statusCode: 422,
        message: `The feature is available only in Plus version${engine}. Check this out: https://waha.devlike.pro/`,
        error: 'Unprocessable Entity',
      },
    };
  }
}
