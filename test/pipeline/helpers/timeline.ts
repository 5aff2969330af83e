// Reads the timeline files that fixture jobs append to: `<label> start|end <date +%s%N>` per line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** When a labelled piece of work started and ended, in epoch milliseconds. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Spans by label; a label without both a start and an end fails the test. */
export function readTimeline(file: string): Map<string, Span> {
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const match = /^(\S+) (start|end) (\d+)$/.exec(line.trim());
    assert.ok(match, `bad timeline line: ${line}`);
    const [, label, edge, ns] = match as unknown as [string, string, string, string];
    (edge === 'start' ? starts : ends).set(label, Number(BigInt(ns) / 1000n) / 1000);
  }
  const spans = new Map<string, Span>();
  for (const [label, start] of starts) {
    const end = ends.get(label);
    assert.ok(end !== undefined, `timeline: ${label} started but never ended`);
    spans.set(label, { start, end });
  }
  return spans;
}

/** The span of `label`, failing the test when it is missing. */
export function spanOf(spans: ReadonlyMap<string, Span>, label: string): Span {
  const span = spans.get(label);
  assert.ok(span, `timeline has no ${label} (has: ${[...spans.keys()].join(', ')})`);
  return span;
}

/** True when two spans share any time. */
export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}
