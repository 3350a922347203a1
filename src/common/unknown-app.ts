/**
 * A job or event names an app this deployment no longer serves (it was removed through /api/apps). Whatever was
 * queued for it is dropped: there is no WAHA or ChatWoot left to do it with.
 */
export class UnknownAppError extends Error {
  constructor(readonly appId: string) {
    super(`Unknown app "${appId}" (removed, or never configured)`);
  }
}
