/**
 * The Redis health conversation as a pure session: optional `AUTH`, optional `SELECT`, `PING`
 * expecting `+PONG`, and `INFO server` for the version. Commands are pipelined; the first error
 * reply decides the verdict.
 */
import type { CheckOutcome } from './check-outcome.js';
import type { SessionStep, SocketSession } from './socket-session.js';

/** What the URL asks for beyond the address. */
export interface RedisLogin {
  readonly username?: string;
  readonly password?: string;
  readonly db?: string;
}

/** One RESP2 reply. */
export type RespReply =
  | { readonly type: 'simple'; readonly text: string }
  | { readonly type: 'error'; readonly text: string }
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'bulk'; readonly text: string | null }
  | { readonly type: 'array'; readonly items: readonly RespReply[] | null };

type Command = { readonly role: 'auth' | 'select' | 'ping' | 'info'; readonly args: readonly string[] };

/** Talks to a Redis server until PING and INFO have answered or a command failed. */
export class RedisSession implements SocketSession {
  private readonly commands: readonly Command[];
  private buffer = Buffer.alloc(0);
  private answered = 0;
  private version: string | undefined;

  constructor(login: RedisLogin) {
    const commands: Command[] = [];
    if (login.password !== undefined) {
      // One-argument AUTH also works on servers older than 6, which have no users.
      const user = login.username && login.username !== 'default' ? [login.username] : [];
      commands.push({ role: 'auth', args: ['AUTH', ...user, login.password] });
    }
    if (login.db !== undefined) commands.push({ role: 'select', args: ['SELECT', login.db] });
    commands.push({ role: 'ping', args: ['PING'] }, { role: 'info', args: ['INFO', 'server'] });
    this.commands = commands;
  }

  opening(): readonly Buffer[] {
    return [Buffer.concat(this.commands.map((command) => encodeCommand(command.args)))];
  }

  receive(data: Buffer): SessionStep {
    if (this.answered >= this.commands.length) return {};
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (!parsed) return {};
      this.buffer = this.buffer.subarray(parsed.next);
      const command = this.commands[this.answered];
      this.answered += 1;
      if (!command) return {};
      const failure = this.judge(command, parsed.reply);
      if (failure) return { outcome: failure, done: true };
      if (this.answered === this.commands.length) {
        const server = this.version ? ` (Redis ${this.version})` : '';
        return { outcome: { ok: true, message: `ok${server}` }, done: true };
      }
    }
  }

  closed(): CheckOutcome {
    return { ok: false, message: 'connection closed by server before it answered' };
  }

  private judge(command: Command, reply: RespReply): CheckOutcome | undefined {
    switch (command.role) {
      case 'auth':
        return reply.type === 'error'
          ? { ok: false, message: `authentication failed: ${reply.text}` }
          : undefined;
      case 'select':
        return reply.type === 'error'
          ? { ok: false, message: `SELECT ${command.args[1]}: ${reply.text}` }
          : undefined;
      case 'ping':
        if (reply.type === 'simple' && reply.text === 'PONG') return undefined;
        if (reply.type === 'error') {
          const auth = /^(NOAUTH|WRONGPASS)\b/.test(reply.text) ? 'authentication failed: ' : '';
          return { ok: false, message: `${auth}${reply.text}` };
        }
        return { ok: false, message: `unexpected reply to PING: ${describeReply(reply)}` };
      case 'info':
        // INFO may be renamed or forbidden by ACLs; the version is a nicety, not a requirement.
        if (reply.type === 'bulk' && reply.text) this.version = /^redis_version:(\S+)/m.exec(reply.text)?.[1];
        return undefined;
    }
  }
}

/** A command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/** Parses one reply at `offset`; undefined while it is incomplete. Throws on bytes that are not RESP. */
export function parseReply(buffer: Buffer, offset: number): { reply: RespReply; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) {
    if (buffer.length > offset && !'+-:$*'.includes(String.fromCharCode(buffer[offset]!)))
      throw notResp(buffer, offset);
    return undefined;
  }
  const kind = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case '+':
      return { reply: { type: 'simple', text: line }, next };
    case '-':
      return { reply: { type: 'error', text: line }, next };
    case ':':
      return { reply: { type: 'integer', value: Number(line) }, next };
    case '$': {
      const length = Number.parseInt(line, 10);
      if (Number.isNaN(length)) throw notResp(buffer, offset);
      if (length < 0) return { reply: { type: 'bulk', text: null }, next };
      if (buffer.length < next + length + 2) return undefined;
      if (buffer.toString('latin1', next + length, next + length + 2) !== '\r\n')
        throw notResp(buffer, offset);
      return {
        reply: { type: 'bulk', text: buffer.toString('utf8', next, next + length) },
        next: next + length + 2,
      };
    }
    case '*': {
      const count = Number.parseInt(line, 10);
      if (Number.isNaN(count)) throw notResp(buffer, offset);
      if (count < 0) return { reply: { type: 'array', items: null }, next };
      const items: RespReply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return undefined;
        items.push(item.reply);
        at = item.next;
      }
      return { reply: { type: 'array', items }, next: at };
    }
    default:
      throw notResp(buffer, offset);
  }
}

function notResp(buffer: Buffer, offset: number): Error {
  return new Error(`not a Redis reply: ${JSON.stringify(buffer.toString('latin1', offset, offset + 24))}`);
}

function describeReply(reply: RespReply): string {
  switch (reply.type) {
    case 'simple':
    case 'error':
      return reply.text;
    case 'integer':
      return String(reply.value);
    case 'bulk':
      return reply.text ?? '(nil)';
    case 'array':
      return reply.items ? `array of ${reply.items.length}` : '(nil)';
  }
}
