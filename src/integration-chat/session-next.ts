/** What an agent should do about a WhatsApp session status: told with `session status` and when WAHA reports a change. */
import { Texts } from '../texts/texts';

/** What to do next for a session status, as a text (undefined when nothing is to be done). */
export function nextStep(status: string, prefix: string, texts: Texts): string | undefined {
  switch (status) {
    case 'SCAN_QR_CODE':
      return texts.render('session.next.scan', { prefix });
    case 'STOPPED':
      return texts.render('session.next.stopped', { prefix });
    case 'FAILED':
      return texts.render('session.next.failed', { prefix });
    case 'STARTING':
      return texts.render('session.next.starting', { prefix });
    default:
      return undefined;
  }
}
