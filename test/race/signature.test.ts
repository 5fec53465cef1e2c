import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import {
  analyse,
  extractReports,
  LIKELY_DUPLICATE_THRESHOLD,
  raceSimilarity,
  SIGNATURE_VERSION,
  signRace,
} from '../../src/race/index.js';
import type { EngineOptions } from '../../src/race/index.js';
import { buildReport } from './build-report.js';
import { applyDecorations, decorationSequence } from './mutations.js';

const CART = 'example.com/shop/cart';
const add = `${CART}.(*Cart).Add`;
const total = `${CART}.(*Cart).Total`;
const FULL = new RegExp(`^${SIGNATURE_VERSION}:[0-9a-f]{16}$`);
const PARTIAL = new RegExp(`^${SIGNATURE_VERSION}p:[0-9a-f]{16}$`);

describe('exact fingerprint', () => {
  it('is the versioned hash of the unordered pair of racing functions', () => {
    const sig = signRace(buildReport([{ frames: [add, `${CART}.(*Cart).AddAsync.func1`] }, { frames: [total, `${CART}.TestCheckout`] }], { test: 'TestCheckout' }));
    expect(SIGNATURE_VERSION).toBe('v2');
    expect(sig.fingerprint).toMatch(FULL);
    expect(sig).toMatchObject({ title: '(*Cart).Add ↔ (*Cart).Total', partial: false, test: 'TestCheckout', packages: ['cart'] });
    expect(sig.sides.map((s) => s.keys[0])).toEqual(['cart.(*Cart).Add', 'cart.(*Cart).Total']);
  });

  it('ignores which access came first and which one wrote', () => {
    const a = signRace(buildReport([{ kind: 'write', frames: [add] }, { kind: 'read', frames: [total] }]));
    const b = signRace(buildReport([{ kind: 'read', frames: [total] }, { kind: 'write', frames: [add] }]));
    const c = signRace(buildReport([{ kind: 'read', frames: [add] }, { kind: 'write', frames: [total] }]));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).toBe(a.fingerprint);
    expect(b.title).toBe(a.title);
  });

  it('separates races between different functions', () => {
    const a = signRace(buildReport([{ frames: [add] }, { frames: [total] }]));
    const b = signRace(buildReport([{ frames: [add] }, { frames: [`${CART}.(*Cart).Clear`] }]));
    const c = signRace(buildReport([{ frames: [add] }, { frames: [add] }]));
    expect(new Set([a.fingerprint, b.fingerprint, c.fingerprint]).size).toBe(3);
  });

  it('uses the top frame per side by default; callers enter with topFrames', () => {
    const viaAsync = buildReport([{ frames: [add, `${CART}.(*Cart).AddAsync.func1`] }, { frames: [total, `${CART}.TestCheckout`] }]);
    const viaTest = buildReport([{ frames: [add, `${CART}.TestConcurrentAdd`] }, { frames: [total, `${CART}.TestConcurrentAdd.func1`] }]);
    expect(signRace(viaTest).fingerprint).toBe(signRace(viaAsync).fingerprint);
    const deeper: EngineOptions = { topFrames: 2 };
    expect(signRace(viaTest, deeper).fingerprint).not.toBe(signRace(viaAsync, deeper).fingerprint);
    expect(signRace(viaTest, { topFrames: Number.NaN }).fingerprint).toBe(signRace(viaTest).fingerprint);
    expect(signRace(viaTest, { topFrames: 0 }).fingerprint).toBe(signRace(viaTest).fingerprint);
  });

  it('skips instrumentation and harness frames', () => {
    const plain = signRace(buildReport([{ frames: [`${CART}.(*Cart).Put`] }, { frames: [`${CART}.(*Cart).Get`] }]));
    const instrumented = signRace(
      buildReport([
        { frames: ['runtime.racewrite@auto', 'runtime.mapassign_faststr', `${CART}.(*Cart).Put`, 'testing.tRunner'] },
        { frames: ['sync/atomic.LoadInt64', 'sync/atomic.LoadInt64@auto', `${CART}.(*Cart).Get`, 'runtime.goexit'] },
      ]),
    );
    expect(instrumented.fingerprint).toBe(plain.fingerprint);
    expect(instrumented.title).toBe('(*Cart).Get ↔ (*Cart).Put');
  });

  it('skips configured frames', () => {
    const options = { ignoreFrames: ['testkit.'] };
    const report = buildReport(
      [{ frames: ['github.com/pingcap/tidb/testkit.(*TestKit).MustExec', add] }, { frames: [total] }],
      { options },
    );
    expect(signRace(report, options).fingerprint).toBe(signRace(buildReport([{ frames: [add] }, { frames: [total] }])).fingerprint);
  });

  it('lists the packages of the top frames of both sides', () => {
    const sig = signRace(
      buildReport([
        { frames: ['github.com/pingcap/tidb/util/memory.(*Tracker).Consume', 'github.com/pingcap/tidb/store/copr.(*copIteratorWorker).sendToRespCh', 'github.com/pingcap/tidb/distsql.Select'] },
        { frames: ['github.com/pingcap/tidb/sessionctx/variable.(*SessionVars).InitStatementContext', 'github.com/pingcap/tidb/executor.ResetContextOfStmt'] },
      ]),
    );
    expect(sig.packages).toEqual(['sessionctx/variable', 'executor', 'util/memory', 'store/copr']);
    expect(sig.title).toBe('(*SessionVars).InitStatementContext ↔ (*Tracker).Consume');
  });

  it('drops a bottom main from TSan stacks but keeps a lone main', () => {
    const withMain = signRace(buildReport([{ frames: ['Counter::inc()', 'main'] }, { frames: ['Counter::get() const', 'worker(void*)'] }], { dialect: 'tsan' }));
    const without = signRace(buildReport([{ frames: ['Counter::inc()'] }, { frames: ['Counter::get()', 'worker'] }], { dialect: 'tsan' }));
    expect(withMain.fingerprint).toBe(without.fingerprint);
    expect(withMain.sides.find((s) => s.keys[0] === 'Counter::inc')?.keys).toEqual(['Counter::inc']);
    const lone = signRace(buildReport([{ frames: ['main'] }, { frames: ['worker'] }], { dialect: 'tsan' }));
    expect(lone.title).toBe('main ↔ worker');
  });
});

describe('partial fingerprint', () => {
  const full = signRace(buildReport([{ frames: [add] }, { frames: [total] }]));

  it('marks a lost stack and keeps the side it has', () => {
    const lost = signRace(buildReport([{ frames: [add] }, { frames: [], stackLost: true }], { partial: true }));
    expect(lost).toMatchObject({ partial: true, title: '(*Cart).Add ↔ ?' });
    expect(lost.fingerprint).toMatch(PARTIAL);
    expect(lost.sides).toHaveLength(1);
    expect(raceSimilarity(lost, full)).toBeGreaterThan(0);
    expect(raceSimilarity(lost, full)).toBeLessThan(1);
  });

  it('marks a report cut off after the first stack', () => {
    const cut = signRace(buildReport([{ frames: [total] }], { partial: true }));
    expect(cut.fingerprint).toMatch(PARTIAL);
    expect(cut.fingerprint).not.toBe(full.fingerprint);
  });

  it('falls back to the creation stack when a side is instrumentation only', () => {
    const report = buildReport([{ frames: [add] }, { frames: ['runtime.racewrite@auto'], actor: 'goroutine 9' }], {
      creations: { 'goroutine 9': [`${CART}.(*Cart).ClearAsync`, 'testing.tRunner'] },
    });
    const sig = signRace(report);
    expect(sig).toMatchObject({ partial: true, title: '(*Cart).Add ↔ created by (*Cart).ClearAsync' });
    expect(sig.fingerprint).toMatch(PARTIAL);
    expect(sig.sides.map((s) => s.keys[0])).toContain('created:cart.(*Cart).ClearAsync');
  });

  it('is partial when a cut-off side has fewer frames than the fingerprint needs', () => {
    const report = buildReport([{ frames: [add, `${CART}.Helper`] }, { frames: [total] }], { partial: true });
    expect(signRace(report).partial).toBe(false);
    expect(signRace(report, { topFrames: 2 }).partial).toBe(true);
  });

  it('gives a report without any usable stack a partial signature', () => {
    const sig = signRace(buildReport([{ frames: ['runtime.racewrite@auto'] }, { frames: [], stackLost: true }], { partial: true }));
    expect(sig).toMatchObject({ partial: true, title: '? ↔ ?', sides: [], packages: [] });
  });
});

const seedBodies = Object.fromEntries(
  readdirSync('/work/shared/seeds').map((name) => [name.slice(0, 3), readFileSync(`/work/shared/seeds/${name}`, 'utf8')]),
);
const TIDB: EngineOptions = { ignoreFrames: ['testkit.'] };

describe('TiDB seeds', () => {
  it('001 and 002 share ResetContextOfStmt on one side but are different races', () => {
    const [a] = analyse(seedBodies['001']!, TIDB);
    const [b] = analyse(seedBodies['002']!, TIDB);
    expect(a!.signature.title).toBe('(*selectResult).Close ↔ executor.ResetContextOfStmt');
    expect(b!.signature.title).toBe('executor.ResetContextOfStmt ↔ (*SQLKiller).SendKillSignal');
    expect(a!.signature.fingerprint).not.toBe(b!.signature.fingerprint);
    expect(raceSimilarity(a!.signature, b!.signature)).toBeLessThan(LIKELY_DUPLICATE_THRESHOLD - 0.2);
  });

  it("000's two reports are one bug: the tracker call inlined, an atomic frame on top", () => {
    const reports = extractReports(seedBodies['000']!, TIDB);
    expect(reports).toHaveLength(2);
    const [first, second] = reports.map((r) => signRace(r, TIDB));
    expect(first!.title).toBe('(*SessionVars).InitStatementContext ↔ (*Tracker).Consume');
    expect(second!.title).toBe('(*SessionVars).InitStatementContext ↔ (*copIteratorWorker).sendToRespCh');
    expect(raceSimilarity(first!, second!)).toBeGreaterThanOrEqual(LIKELY_DUPLICATE_THRESHOLD);
    expect(raceSimilarity(first!, second!)).toBeLessThan(1);
  });

  it('names the test that caught each race', () => {
    expect(analyse(seedBodies['000']!, TIDB).map((r) => r.signature.test)).toEqual(['TestWeakConsistencyRead', 'TestWeakConsistencyRead']);
  });
});

const corpusBodies = ['go-generated', 'go-kvdb'].flatMap((dir) =>
  readdirSync(`/work/shared/corpus/${dir}`)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => readFileSync(`/work/shared/corpus/${dir}/${name}`, 'utf8')),
);
const tsanBodies = readFileSync('/work/shared/corpus/public/tsan-issues.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { body: string }).body)
  .filter((body) => extractReports(body).length > 0);
const goBodies = [...Object.values(seedBodies), ...corpusBodies];

describe('decoration never changes a fingerprint', () => {
  const fingerprints = (body: string) => analyse(body, TIDB).map((r) => r.signature.fingerprint);

  it('holds for random decorations of the seeds, the Go corpora and the public TSan reports', () => {
    fc.assert(
      fc.property(fc.constantFrom(...goBodies, ...tsanBodies), decorationSequence, (body, names) => {
        expect(fingerprints(applyDecorations(body, names))).toEqual(fingerprints(body));
      }),
      { numRuns: 400 },
    );
  });

  it('finds at least one full fingerprint in every undecorated Go body, and TSan reports to decorate', () => {
    for (const body of goBodies) expect(fingerprints(body).some((f) => FULL.test(f))).toBe(true);
    expect(tsanBodies.length).toBeGreaterThanOrEqual(5);
  });
});
