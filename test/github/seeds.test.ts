/**
 * The five real TiDB seed issues, filed one after another through the app, then refiled
 * under new numbers: what the comments say about each other.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { findMarker } from '../../src/triage/marker.js';
import { startApp, type TestApp } from '../support/app.js';
import { issuesEvent } from '../support/payloads.js';
import { loadSeeds } from '../support/seeds.js';

const seeds = loadSeeds();
const REFILED = 90000;
let h: TestApp;

/** The marker of the bot's comment on an issue, or undefined when it did not comment. */
function markerOn(number: number) {
  const comment = h.github.commentsOn(`pingcap/tidb#${number}`)[0];
  return comment && findMarker(comment.body);
}

beforeAll(async () => {
  h = await startApp({ port: 38431 });
  h.github.repoLabels.set('pingcap/tidb', ['type/data-race', 'component/store', 'component/executor', 'component/sessionctx', 'component/util']);
  for (const seed of seeds) {
    await h.deliver('issues', issuesEvent('opened', { number: seed.number, title: seed.title, body: seed.body }));
  }
  for (const [i, seed] of seeds.entries()) {
    await h.deliver('issues', issuesEvent('opened', { number: REFILED + i, title: `Again: ${seed.title}`, body: seed.body, author: 'bob' }));
  }
});
afterAll(async () => {
  await h.close();
  expect(h.github.problems).toEqual([]);
});

describe('the five seeds', () => {
  test('there are five, each with a race the app labels', () => {
    expect(seeds).toHaveLength(5);
    for (const seed of seeds) expect(h.github.labelsOn(`pingcap/tidb#${seed.number}`)).toContain('type/data-race');
  });

  test('41105 and 55467 share one side only, so neither is listed as the other’s duplicate', () => {
    const [a, b] = [41105, 55467];
    const refiledAs = (n: number) => REFILED + seeds.findIndex((s) => s.number === n);
    for (const [self, other] of [[a, b], [b, a]] as const) {
      // The first filing, and the refiling (which does comment: it names its original).
      for (const number of [self, refiledAs(self)]) {
        expect(markerOn(number)?.duplicates.map((d) => d.number) ?? []).not.toContain(other);
        expect(h.github.commentsOn(`pingcap/tidb#${number}`)[0]?.body ?? '').not.toContain(`#${other}`);
      }
      expect(markerOn(refiledAs(self))!.duplicates.map((d) => d.number)).toContain(self);
    }
  });

  test.each(seeds.map((seed, i) => [seed.number, REFILED + i]))('a refiling of #%i names it as the same signature', (original, refiled) => {
    const comments = h.github.commentsOn(`pingcap/tidb#${refiled}`);
    expect(comments).toHaveLength(1);
    const line = comments[0]!.body.split('\n').find((l) => l.includes(`#${original}`));
    expect(line).toContain('same signature');
    expect(markerOn(refiled)!.duplicates).toContainEqual({ number: original, score: 1, exact: true });
    // Never the issue itself, and no other seed as an exact duplicate.
    expect(markerOn(refiled)!.duplicates.filter((d) => d.exact).map((d) => d.number)).toEqual([original]);
  });
});
