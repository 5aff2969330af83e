/**
 * Conventional Commits 1.0.0 parsing: header, body, footers, merges and reverts. Every message
 * parses; one that does not follow the convention becomes type `other`.
 */

/** A commit as read from git, before parsing. */
export interface RawCommit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly authorName: string;
  readonly authorEmail: string;
  /** ISO 8601 author date. */
  readonly date: string;
  /** The full message: subject line, blank line, body. */
  readonly message: string;
}

/** A footer such as `Refs: #12` or `BREAKING CHANGE: ...`; `token` as written. */
export interface Footer {
  readonly token: string;
  readonly value: string;
}

/** A parsed commit message. */
export interface ConventionalCommit {
  readonly sha: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly date: string;
  /**
   * Lower-cased type with aliases folded (`feature` reads as `feat`, as in the conventionalcommits
   * preset); `other` when the header does not follow the convention, `merge` for a plain merge.
   */
  readonly type: string;
  readonly scope: string | null;
  readonly subject: string;
  readonly body: string;
  readonly footers: readonly Footer[];
  readonly breaking: boolean;
  /** What the `BREAKING CHANGE:` footers (or the subject of a `!` commit) say. */
  readonly breakingNotes: readonly string[];
  readonly refs: readonly string[];
  /** The version a `Release-As:` footer asks for, as written. */
  readonly releaseAs: string | null;
  /** Set when the commit reverts another: its sha (from `This reverts commit`) and/or its header. */
  readonly revert: { readonly sha: string | null; readonly header: string | null } | null;
  readonly merge: boolean;
  /** The message contains `[skip release]`. */
  readonly skip: boolean;
}

const HEADER = /^([A-Za-z][\w-]*)(?:\(([^()\r\n]*)\))?(!)?: +(\S.*)$/;
const FOOTER = /^(BREAKING[ -]CHANGE|[A-Za-z][\w-]*)(?:: | #)(.*)$/;
const GIT_REVERT = /^Revert "(.*)"$/;
const REVERTS_SHA = /This reverts commit ([0-9a-f]{7,40})/;
const MERGE = /^Merge (?:branch|pull request|remote-tracking branch|tag|commit|[0-9a-f]{7,40}\b)/;
const SKIP = /\[skip release\]/i;
// The conventionalcommits preset's aliases: a `feature:` commit is a feature like `feat:`.
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map([['feature', 'feat']]);

/** Parses one commit; never throws. */
export function parseCommit(raw: RawCommit): ConventionalCommit {
  let message = raw.message.includes('\r') ? raw.message.replace(/\r\n?/g, '\n') : raw.message;
  let last = message.length;
  while (last > 0 && message.charCodeAt(last - 1) === 10) last--;
  message = message.slice(0, last);
  const newline = message.indexOf('\n');
  const header = (newline === -1 ? message : message.slice(0, newline)).trim();
  let rest = '';
  if (newline !== -1) {
    let first = newline + 1;
    while (first < message.length && message.charCodeAt(first) === 10) first++;
    rest = message.slice(first);
  }
  const { body, footers } = splitFooters(rest);
  const breakingNotes: string[] = [];
  const refs: string[] = [];
  let releaseAs: string | null = null;
  for (const f of footers) {
    if (f.token === 'BREAKING CHANGE' || f.token === 'BREAKING-CHANGE') {
      breakingNotes.push(f.value);
    } else if (/^refs?$/i.test(f.token)) {
      for (const r of f.value.split(/[,\s]+/)) if (r !== '') refs.push(r);
    } else if (/^release-as$/i.test(f.token)) {
      releaseAs = f.value.trim();
    }
  }
  const revertSha = rest.includes('This reverts commit') ? (REVERTS_SHA.exec(rest)?.[1] ?? null) : null;
  const skip = message.includes('[') && SKIP.test(message);
  const merge = raw.parents.length > 1;
  // One object literal with every field in the same order keeps these objects fast to make and read.
  const commit = (
    type: string,
    scope: string | null,
    subject: string,
    breaking: boolean,
    revert: ConventionalCommit['revert'],
    isMerge: boolean,
  ): ConventionalCommit => ({
    sha: raw.sha,
    author: { name: raw.authorName, email: raw.authorEmail },
    date: raw.date,
    type,
    scope,
    subject,
    body,
    footers,
    breaking,
    breakingNotes,
    refs,
    releaseAs,
    revert,
    merge: isMerge,
    skip,
  });

  if (header.startsWith('Revert "')) {
    const gitRevert = GIT_REVERT.exec(header);
    if (gitRevert) {
      const reverted = gitRevert[1] ?? '';
      return commit(
        'revert',
        null,
        reverted,
        breakingNotes.length > 0,
        { sha: revertSha, header: reverted },
        false,
      );
    }
  }
  const match = HEADER.exec(header);
  if (!match) {
    const plainMerge = merge || MERGE.test(header);
    return commit(plainMerge ? 'merge' : 'other', null, header, breakingNotes.length > 0, null, plainMerge);
  }
  const written = match[1]!.toLowerCase();
  const type = TYPE_ALIASES.get(written) ?? written;
  const subject = match[4]!.trim();
  const bang = match[3] === '!';
  if (bang && breakingNotes.length === 0) breakingNotes.push(subject);
  return commit(
    type,
    match[2]?.trim() || null,
    subject,
    bang || breakingNotes.length > 0,
    type === 'revert' ? { sha: revertSha, header: subject } : null,
    merge,
  );
}

// Footers are the trailing paragraphs that each start with a `Token: value` line; a value
// runs until the next footer line, so it may span lines.
function splitFooters(text: string): { body: string; footers: Footer[] } {
  if (text.length === 0) return { body: '', footers: [] };
  const lines = text.split('\n');
  let start = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const paragraphStart = i === 0 || lines[i - 1]!.trim() === '';
    if (!paragraphStart || lines[i]!.trim() === '') continue;
    if (FOOTER.test(lines[i]!)) start = i;
    else break;
  }
  const footers: Footer[] = [];
  for (const line of lines.slice(start)) {
    const m = FOOTER.exec(line);
    if (m) footers.push({ token: m[1]!, value: m[2]! });
    else if (footers.length > 0) {
      const last = footers[footers.length - 1]!;
      footers[footers.length - 1] = { token: last.token, value: `${last.value}\n${line}` };
    }
  }
  const trimmed = footers.map((f) => ({ token: f.token, value: f.value.trim() }));
  // A `BREAKING CHANGE:` line inside the body counts too, as many tools read it.
  const body = lines.slice(0, start).join('\n').trim();
  if (body.includes('BREAKING')) {
    for (const line of body.split('\n')) {
      const m = /^BREAKING[ -]CHANGE: (.*)$/.exec(line);
      if (m) trimmed.push({ token: 'BREAKING CHANGE', value: m[1]!.trim() });
    }
  }
  return { body, footers: trimmed };
}
