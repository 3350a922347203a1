/**
 * The WAHA simulator's session lifecycle, pairing QR and screenshot (devlikeapro/waha):
 * - `POST /api/sessions/{session}/start|stop|restart|logout` (src/api/sessions.controller.ts): 201 with the session.
 *   stop → STOPPED; start and restart → WORKING when the phone is paired, SCAN_QR_CODE when not; logout unpairs
 *   the phone and the session waits for a QR (SCAN_QR_CODE). Each change fires `session.status`.
 * - `GET /api/{session}/auth/qr` (src/api/auth.controller.ts): only in SCAN_QR_CODE, else 422 "Can get QR code only
 *   in SCAN_QR_CODE status. The current status is '<status>'"; JSON asked: `{mimetype: 'image/png', data}`. WhatsApp
 *   renews the QR about every 20 s (`qrRefreshMs` here).
 * - `GET /api/screenshot?session=` (src/api/screenshot.controller.ts): WEBJS and WPP show the browser (a JPEG);
 *   NOWEB and GOWS (session.*.core.ts getScreenshot) answer the QR in SCAN_QR_CODE, 422 "The session is starting,
 *   please try again after few seconds" in STARTING, 422 "Can not get screenshot for non chrome based engine." when
 *   WORKING, 422 "Unknown status - <status>" otherwise.
 * Approximated: the images are a PNG/JPEG signature and a counter, not real pictures; start on a running session
 * leaves it as it is.
 */
import { SimResponse, SimServer } from '../common/sim-server';
import { WahaSessionStatus } from './waha-sim-types';
import { isBrowserEngine } from './waha-profile';
import { SessionGate } from './waha-session-gate';
import { WahaState } from './waha-state';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);

function unprocessable(message: string): SimResponse {
  return { status: 422, body: { statusCode: 422, message, error: 'Unprocessable Entity' } };
}

function base64File(mimetype: string, data: Buffer): SimResponse {
  return { status: 200, body: { mimetype, data: data.toString('base64') } };
}

export interface SessionControl {
  /** Whether a phone is paired (logout unpairs; `pair` pairs, as a phone scanning the QR). */
  paired: boolean;
  setStatus(status: WahaSessionStatus): Promise<void>;
}

export function registerSessionRoutes(server: Pick<SimServer, 'route'>, state: WahaState, gate: SessionGate, control: SessionControl): void {
  const known = (name: string): SimResponse | undefined => (name === state.opts.session ? undefined : { status: 404, body: { statusCode: 404, message: `Session "${name}" not found`, error: 'Not Found' } });
  const running = (): WahaSessionStatus => (control.paired ? 'WORKING' : 'SCAN_QR_CODE');
  const answer = (): SimResponse => ({ status: 201, body: gate.sessionInfo(false) });

  server.route('POST', '/api/sessions/:session/stop', async (req) => {
    const missing = known(req.params.session);
    if (missing) return missing;
    await control.setStatus('STOPPED');
    return answer();
  });
  server.route('POST', '/api/sessions/:session/start', async (req) => {
    const missing = known(req.params.session);
    if (missing) return missing;
    if (state.status === 'STOPPED' || state.status === 'FAILED') await control.setStatus(running());
    return answer();
  });
  server.route('POST', '/api/sessions/:session/restart', async (req) => {
    const missing = known(req.params.session);
    if (missing) return missing;
    await control.setStatus('STARTING');
    await control.setStatus(running());
    return answer();
  });
  server.route('POST', '/api/sessions/:session/logout', async (req) => {
    const missing = known(req.params.session);
    if (missing) return missing;
    control.paired = false;
    await control.setStatus('SCAN_QR_CODE');
    return answer();
  });

  const qrImage = (): Buffer => {
    const epoch = Math.floor(Date.now() / Math.max(1, state.opts.qrRefreshMs));
    return Buffer.concat([PNG, Buffer.from(`qr:${state.opts.session}:${epoch}`)]);
  };
  server.route('GET', '/api/:session/auth/qr', (req) => {
    const missing = known(req.params.session);
    if (missing) return missing;
    if (state.status !== 'SCAN_QR_CODE') return unprocessable(`Can get QR code only in SCAN_QR_CODE status. The current status is '${state.status}'`);
    return base64File('image/png', qrImage());
  });
  server.route('GET', '/api/screenshot', (req) => {
    const missing = known(req.query.get('session') ?? 'default');
    if (missing) return missing;
    if (isBrowserEngine(state.opts.engine)) return base64File('image/jpeg', Buffer.concat([JPEG, Buffer.from(`screen:${state.status}`)]));
    switch (state.status) {
      case 'STARTING':
        return unprocessable('The session is starting, please try again after few seconds');
      case 'SCAN_QR_CODE':
        return base64File('image/png', qrImage());
      case 'WORKING':
        return unprocessable('Can not get screenshot for non chrome based engine.');
      case 'STOPPED':
      case 'FAILED':
        return unprocessable(`Unknown status - ${state.status}`);
    }
  });
}
