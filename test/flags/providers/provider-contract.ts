/**
 * The one contract suite every outside flag provider passes (LaunchDarkly, Split, a command), each
 * against its real service stand-in: `prepare` resolves the baseline, a share sequence and its
 * rollback leave the service serving exactly those shares, bad shares and a variant that is its
 * own baseline are refused before anything is sent, a failing service is FLAG_PROVIDER_FAILED,
 * and no error or printed form of the provider shows a secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { FlagError, type FlagErrorCode } from '../../../src/flags/errors.js';
import type { FlagProvider } from '../../../src/flags/providers/flag-provider.js';

/** A provider wired to its stand-in, as the suite drives it. */
export interface ProviderHarness {
  readonly provider: FlagProvider;
  readonly flag: string;
  readonly variant: string;
  /** What `prepare` resolves the baseline to when the rollout names none. */
  readonly defaultBaseline: string;
  /** Another variant of the flag, to name as the baseline. */
  readonly otherVariant: string;
  /** Whether `prepare` can tell an unknown variant (a command cannot). */
  readonly knowsVariants: boolean;
  /** Values that must never show in anything thrown or printed. */
  readonly secrets: readonly string[];
  /** The variant's and the baseline's share the service serves now, in percent. */
  served(): Promise<{ readonly variant: number; readonly baseline: number }>;
  /** How many calls the service has received (requests, runs). */
  calls(): Promise<number>;
  /** Makes the service fail the next call. */
  failNext(): void;
  close(): Promise<void>;
}

/** Runs the contract against the provider `start` builds. */
export function describeProviderContract(name: string, start: () => Promise<ProviderHarness>): void {
  describe(`flag provider contract: ${name}`, () => {
    let h: ProviderHarness;
    before(async () => {
      h = await start();
    });
    after(async () => {
      await h?.close();
    });

    it('prepare resolves the baseline: the one named, else the flag default', async () => {
      assert.deepEqual(await h.provider.prepare({ flag: h.flag, variant: h.variant }), {
        baseline: h.defaultBaseline,
      });
      assert.deepEqual(
        await h.provider.prepare({ flag: h.flag, variant: h.variant, baseline: h.otherVariant }),
        { baseline: h.otherVariant },
      );
    });

    it('serves exactly each share of 0, 5, 50, 100, then 0 again on rollback', async () => {
      const { baseline } = await h.provider.prepare({ flag: h.flag, variant: h.variant });
      const target = { flag: h.flag, variant: h.variant, baseline };
      for (const percent of [0, 5, 50, 100, 0]) {
        await h.provider.setShare(target, percent);
        assert.deepEqual(
          await h.served(),
          { variant: percent, baseline: 100 - percent },
          `after ${percent}%`,
        );
      }
    });

    it('refuses a share outside 0..100, or not a number, without calling the service', async () => {
      const target = { flag: h.flag, variant: h.variant, baseline: h.defaultBaseline };
      const before = await h.calls();
      for (const percent of [-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY])
        await rejects(h.provider.setShare(target, percent), 'FLAG_WEIGHTS_INVALID');
      assert.equal(await h.calls(), before);
    });

    it('refuses a variant that is its own baseline', async () => {
      await rejects(
        h.provider.prepare({ flag: h.flag, variant: h.variant, baseline: h.variant }),
        'FLAG_ROLLOUT_INVALID',
      );
      await rejects(
        h.provider.setShare({ flag: h.flag, variant: h.variant, baseline: h.variant }, 5),
        'FLAG_ROLLOUT_INVALID',
      );
    });

    it('refuses a variant the flag does not have, when it can tell', async (t) => {
      if (!h.knowsVariants) return t.skip('a command cannot tell');
      await rejects(h.provider.prepare({ flag: h.flag, variant: 'no-such-variant' }), 'FLAG_VARIANT_UNKNOWN');
    });

    it('fails with FLAG_PROVIDER_FAILED when the service fails, showing no secret', async () => {
      h.failNext();
      const error = await rejects(
        h.provider.setShare({ flag: h.flag, variant: h.variant, baseline: h.defaultBaseline }, 5),
        'FLAG_PROVIDER_FAILED',
      );
      assertNoSecret(error, h.secrets);
    });

    it('keeps secrets out of its JSON, string and inspected forms', () => {
      for (const form of [
        JSON.stringify(h.provider),
        String(h.provider),
        inspect(h.provider, { showHidden: true }),
      ])
        for (const secret of h.secrets) assert.ok(!form.includes(secret), form);
    });
  });
}

/** The FlagError `promise` rejects with, checked to have `code` (fails the test otherwise). */
export async function rejects(promise: Promise<unknown>, code: FlagErrorCode): Promise<FlagError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FlagError, `expected a FlagError, got ${inspect(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

/** Fails if any secret shows in the error's message, stack or causes. */
export function assertNoSecret(error: Error, secrets: readonly string[]): void {
  const shown = `${String(error)}\n${error.stack ?? ''}\n${inspect(error, { depth: 10, showHidden: true })}`;
  for (const secret of secrets) assert.ok(!shown.includes(secret), `a secret shows in:\n${shown}`);
}
