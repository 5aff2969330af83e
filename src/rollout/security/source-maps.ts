/**
 * Finding source maps a revision serves, as pure functions over its answers: the scripts and
 * stylesheets a page loads, where each says its source map is (a `sourceMappingURL` comment or a
 * `SourceMap` header) and whether an answer is a source map at all.
 */
import { headerValue, type SecurityResponse } from './security-rules.js';

/** At most this many scripts and stylesheets of a page are followed. */
export const MAX_ASSETS = 20;

const SCRIPT = /<script\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const LINK = /<link\b[^>]*>/gi;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const REL = /\brel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const MAPPING = /[#@]\s*sourceMappingURL\s*=\s*([^\s'"*]+)/g;

/**
 * The same-origin scripts, then stylesheets and module preloads, that `html` loads, as absolute
 * URLs resolved against `pageUrl`, without repeats, at most MAX_ASSETS.
 */
export function pageAssets(html: string, pageUrl: string): string[] {
  const refs: string[] = [];
  for (const match of html.matchAll(SCRIPT)) refs.push(match[1] ?? match[2] ?? match[3] ?? '');
  for (const [tag] of html.matchAll(LINK)) {
    const rel = attributeValue(REL.exec(tag))?.toLowerCase().split(/\s+/) ?? [];
    const href = attributeValue(HREF.exec(tag));
    if (href !== undefined && (rel.includes('stylesheet') || rel.includes('modulepreload'))) refs.push(href);
  }
  const origin = new URL(pageUrl).origin;
  const out = new Set<string>();
  for (const ref of refs) {
    const url = resolve(decodeEntities(ref.trim()), pageUrl);
    if (url && url.origin === origin) out.add(url.href);
    if (out.size >= MAX_ASSETS) break;
  }
  return [...out];
}

/** Where an asset says its source map is, and whether it embeds one. */
export interface SourceMapRefs {
  /** Absolute same-origin URLs from its `SourceMap` header and `sourceMappingURL` comment. */
  readonly urls: readonly string[];
  /** It carries a whole source map in a `data:` URL. */
  readonly embedded: boolean;
}

/** The source maps `asset` (answered at `assetUrl`) points to; the comment is looked for at its end. */
export function sourceMapRefs(asset: SecurityResponse, assetUrl: string): SourceMapRefs {
  const refs: string[] = [];
  const header = headerValue(asset.headers, 'sourcemap') ?? headerValue(asset.headers, 'x-sourcemap');
  if (header !== undefined) refs.push(header.trim());
  const comments = [...asset.tail.matchAll(MAPPING)];
  const comment = comments[comments.length - 1]?.[1];
  if (comment !== undefined) refs.push(comment);
  const origin = new URL(assetUrl).origin;
  const urls = new Set<string>();
  let embedded = false;
  for (const ref of refs) {
    if (/^data:/i.test(ref)) embedded = true;
    else {
      const url = resolve(ref, assetUrl);
      if (url && url.origin === origin) urls.add(url.href);
    }
  }
  return { urls: [...urls], embedded };
}

/** The URL where a build tool puts the source map of `assetUrl` by default: `<file>.map`. */
export function guessedMapUrl(assetUrl: string): string {
  const url = new URL(assetUrl);
  url.pathname = `${url.pathname}.map`;
  url.search = '';
  return url.href;
}

/**
 * Whether an answer is a source map: 2xx and a JSON object of version 3 with `mappings`,
 * `sources` or `sections` (an index map), optionally behind the `)]}'` guard line. Judged on its
 * first bytes, so a page answered for any path is not one.
 */
export function isSourceMap(response: SecurityResponse): boolean {
  if (response.status < 200 || response.status >= 300) return false;
  const text = response.head.replace(/^\uFEFF/, '').replace(/^\)\]\}'[^\n]*\n/, '');
  return (
    /^\s*\{/.test(text) &&
    /"version"\s*:\s*3\b/.test(text) &&
    /"(?:mappings|sources|sections)"\s*:/.test(text)
  );
}

function attributeValue(match: RegExpExecArray | null): string | undefined {
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

function resolve(ref: string, base: string): URL | undefined {
  try {
    const url = new URL(ref, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function decodeEntities(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}
