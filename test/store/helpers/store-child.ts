// Child process for the multi-process tests: opens a store and appends events in lockstep with a sibling.
// Usage: node --import tsx store-child.ts '<json ChildConfig>'
// Protocol: prints "ready", waits for a stdin line, opens the store (racing on a fresh database),
// prints "opened", waits for a stdin line, appends `count` events, prints {"ids":[...]} and exits.
import { createInterface } from 'node:readline';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { openAt, type StoreLocation } from './backends.js';

interface ChildConfig {
  readonly location: StoreLocation;
  readonly count: number;
  readonly tag: string;
  /** For SQLite: open through openStore({ projectDir }) so the folder creation races too. */
  readonly projectDir?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function barrier(stage: string): Promise<void> {
  process.stdout.write(`${stage}\n`);
  await lines.next();
}

function open(): Promise<Store> {
  if (config.projectDir !== undefined) return openStore({ projectDir: config.projectDir });
  return openAt(config.location, { now: () => Date.now() });
}

await barrier('ready');
const store = await open();
await barrier('opened');
const ids: number[] = [];
for (let i = 0; i < config.count; i++) {
  const event = await store.appendEvent({
    type: 'taskrun.finished',
    actor: config.tag,
    subject: config.tag,
    data: { i },
  });
  ids.push(event.id);
}
await store.close();
process.stdout.write(`${JSON.stringify({ ids })}\n`);
process.stdin.destroy();
