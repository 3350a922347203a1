/**
 * The pull's answer to the live relay's one question (conversations/chat-fence.ts): a chat is fenced while the
 * app's running pull still has to import it, so its live messages land after its history. A dry run fences nothing.
 */
import { Injectable } from '@nestjs/common';
import { ChatFence } from '../conversations/chat-fence';
import { ChatCheckpointRepository } from './chat-checkpoint.repository';
import { PullRecordRepository } from './pull-record.repository';

@Injectable()
export class PullFence implements ChatFence {
  constructor(
    private readonly records: PullRecordRepository,
    private readonly checkpoints: ChatCheckpointRepository,
  ) {}

  async isFenced(appId: string, chatId: string): Promise<boolean> {
    const id = await this.records.activeId(appId);
    if (!id) return false;
    const pull = { appId, id };
    const record = await this.records.get(pull);
    if (!record || !['planning', 'running', 'stopping'].includes(record.state)) return false;
    // A dry run only counts: nothing of its will land, so live messages need not wait for it.
    if (record.options.dryRun) return false;
    if (record.state === 'planning') return true;
    const job = await this.records.plannedAs(pull, chatId);
    if (!job) return false;
    return !(await this.checkpoints.isFinished(pull, job));
  }
}
