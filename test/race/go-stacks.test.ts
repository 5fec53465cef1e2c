/**
 * Go stack traces that are not race reports: what is read from real panics, goroutine dumps
 * and pasted frames, and that untrusted text never makes the reader throw or slow down.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import { extractGoStacks, MAX_STACKS, MAX_STACK_FRAMES, type GoStack } from '../../src/race/go-stacks.js';
import { goStacks, MAX_BODY_CHARS } from '../../src/race/index.js';
import { FIXTURE_DIR, readFixture, readFixtures } from './fixture-file.js';
import { anyMutation, applyDecorations, decorationSequence } from './mutations.js';

const fixtureBody = (name: string) => readFixture(join(FIXTURE_DIR, `${name}.txt`)).body;
const significant = (stack: GoStack | undefined) => (stack?.frames ?? []).filter((f) => f.significant).map((f) => f.key);

/** A nil dereference in TiDB's executor, as `go test` prints it (Go 1.21). */
const TIDB_PANIC = `panic: runtime error: invalid memory address or nil pointer dereference [recovered]
	panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x5a1b2c3]

goroutine 1234 [running]:
testing.tRunner.func1.2({0x6b7c800, 0xa4d3c60})
	/usr/local/go/src/testing/testing.go:1545 +0x238
panic({0x6b7c800?, 0xa4d3c60?})
	/usr/local/go/src/runtime/panic.go:914 +0x21f
github.com/pingcap/tidb/pkg/executor.(*HashAggExec).Close(0x0)
	/home/runner/work/tidb/tidb/pkg/executor/aggregate.go:218 +0x2c
github.com/pingcap/tidb/pkg/executor/internal/exec.Close({0x7d1e9f0, 0xc00a1b2c30})
	/home/runner/work/tidb/tidb/pkg/executor/internal/exec/executor.go:410 +0x52
github.com/pingcap/tidb/pkg/session.(*session).ExecuteStmt(0xc0012a4000, {0x7d0ab10, 0xc00b2f4e10}, {0x7d2b5c0, 0xc00ab34a80})
	/home/runner/work/tidb/tidb/pkg/session/session.go:2217 +0x9a5
testing.tRunner(0xc000d82b60, 0x7a1c3d8)
	/usr/local/go/src/testing/testing.go:1595 +0x166
created by testing.(*T).Run in goroutine 1
	/usr/local/go/src/testing/testing.go:1648 +0x3ad

goroutine 1 [chan receive]:
testing.(*T).Run(0xc000d829c0, {0x7017b3e?, 0x18c7a4e9d0d2?}, 0x7a1c3d8)
	/usr/local/go/src/testing/testing.go:1649 +0x3c8
main.main()
	_testmain.go:47 +0x1c5
FAIL	github.com/pingcap/tidb/pkg/executor	12.345s
`;

describe('Go stack traces', () => {
  test('a panic: the failing goroutine is marked, its frames read with their arguments dropped', () => {
    const stacks = extractGoStacks(TIDB_PANIC);
    expect(stacks.map((s) => [s.header, s.panicking])).toEqual([
      ['goroutine 1234 [running]', true],
      ['goroutine 1 [chan receive]', false],
    ]);
    // The harness, the builtin panic and the creating call site are not the project's code.
    expect(significant(stacks[0])).toEqual([
      'executor.(*HashAggExec).Close',
      'executor/internal/exec.Close',
      'session.(*session).ExecuteStmt',
    ]);
    expect(stacks[0]!.frames[2]).toMatchObject({
      function: 'github.com/pingcap/tidb/pkg/executor.(*HashAggExec).Close',
      file: '/home/runner/work/tidb/tidb/pkg/executor/aggregate.go',
      line: 218,
      package: 'executor',
      module: 'github.com/pingcap/tidb',
    });
    expect(stacks[0]!.frames.map((f) => f.skipReason ?? '')).toEqual(['test harness', 'Go runtime', '', '', '', 'test harness']);
  });

  test('a real panic trace (golang/go#40343) and a test timeout dump (cockroachdb/cockroach#507)', () => {
    const [logAfterTest] = extractGoStacks(fixtureBody('nonrace-panic-golang-go-40343'));
    expect(logAfterTest).toMatchObject({ header: 'goroutine 8 [running]', panicking: true });
    expect(significant(logAfterTest)).toEqual(['command-line-arguments.TestTestRace.func*']);

    const timeout = extractGoStacks(fixtureBody('nonrace-timeout-cockroach-507'));
    expect(timeout.map((s) => [s.header, s.panicking])).toEqual([
      ['goroutine 697 [running]', true],
      ['goroutine 1 [chan receive]', false],
    ]);
    // The alarm goroutine of a timeout holds only the test runner: nothing to credit.
    expect(timeout.flatMap(significant)).toEqual([]);
  });

  test('frames pasted without a header, cut off mid-stack (pingcap/tidb#18526, an excerpt)', () => {
    const excerpt = [
      '```',
      '[2020-07-14T02:16:00.904Z]       /home/jenkins/agent/workspace/tidb_ghpr_unit_test/go/src/github.com/pingcap/tidb/session/bootstrap.go:1157 +0x1bd',
      '',
      '[2020-07-14T02:16:00.904Z]   github.com/pingcap/tidb/session.doDDLWorks()',
      '',
      '[2020-07-14T02:16:00.904Z]       /home/jenkins/agent/workspace/tidb_ghpr_unit_test/go/src/github.com/pingcap/tidb/session/bootstrap.go:1156 +0x190',
      '',
      '[2020-07-14T02:16:00.904Z]   github.com/pingcap/tidb/ddl.(*ddl).Start()',
    ].join('\n');
    const [stack, ...rest] = extractGoStacks(excerpt);
    expect(rest).toEqual([]);
    expect(stack).toMatchObject({ header: '', panicking: false });
    // The last function line lost its location to the cut: it is not read as a frame.
    expect(stack!.frames.map((f) => [f.package, f.line])).toEqual([['session', 1156]]);
  });

  test('race report stacks read as plain stacks; prose and quoted Go code do not', () => {
    expect(extractGoStacks('Please call Close() first.\nThen run x.Open() again (it fails).')).toEqual([]);
    expect(extractGoStacks('```go\nfunc TestX(t *testing.T) {\n\tt.Logf("aaa")\n\ttime.Sleep(1 * time.Second)\n}\n```')).toEqual([]);
    const stacks = extractGoStacks(fixtureBody('go-generated-v1-TestCheckout'));
    expect(stacks.flatMap(significant)).toContain('cart.(*Cart).Add');
  });

  test('decoration (quotes, timestamps, fences, CRLF) never changes what is read', () => {
    const expected = extractGoStacks(TIDB_PANIC).map((s) => s.frames.map((f) => f.key));
    fc.assert(
      fc.property(decorationSequence, (names) => {
        // Entities and autolinks change the text itself; the rest only dress it.
        const dressed = names.filter((n) => n !== 'htmlEntities' && n !== 'autolinkedFrames' && n !== 'interleavedLogLines');
        const got = extractGoStacks(applyDecorations(TIDB_PANIC, dressed)).map((s) => s.frames.map((f) => f.key));
        expect(got).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Go stack traces from untrusted text', () => {
  const wellFormed = (stacks: GoStack[]) => {
    expect(stacks.length).toBeLessThanOrEqual(MAX_STACKS);
    for (const stack of stacks) {
      expect(stack.frames.length).toBeGreaterThan(0);
      expect(stack.frames.length).toBeLessThanOrEqual(MAX_STACK_FRAMES);
      for (const frame of stack.frames) expect(typeof frame.package).toBe('string');
    }
  };

  const stackLine = fc.constantFrom(
    'panic: boom',
    'fatal error: concurrent map writes',
    'goroutine 1 [running]:',
    'goroutine 7 [chan receive, 2 minutes]:',
    'goroutine 9 gp=0xc000002380 m=0 mp=0x1 [select]:',
    'github.com/o/r/pkg/x.(*T).M(0xc000123, {0x1, 0x2}, ...)',
    'github.com/o/r/pkg/x.F()',
    'panic({0x6b7c800?, 0xa4d3c60?})',
    '\t/home/ci/r/pkg/x/x.go:12 +0x1a',
    'created by github.com/o/r/pkg/x.Start in goroutine 1',
    'main.main()',
    '((((((((((((((((((((',
    ')))))))))))))))))))',
    'a.b(' + '(x)'.repeat(40),
    '```',
    '> ',
    '',
  );

  test('random text never throws and gives well-formed stacks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => wellFormed(extractGoStacks(text))),
      { numRuns: 300 },
    );
  });

  test('random sequences of stack-shaped lines never throw and give well-formed stacks', () => {
    const body = fc
      .tuple(fc.array(fc.tuple(stackLine, stackLine), { maxLength: 120 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([pairs, eol]) => pairs.map(([a, b]) => a + b).join(eol));
    fc.assert(fc.property(body, (text) => wellFormed(extractGoStacks(text))), { numRuns: 300 });
  });

  test('real bodies cut, dropped and decorated never throw', () => {
    const bodies = [TIDB_PANIC, ...readFixtures().map((f) => f.body)];
    fc.assert(
      fc.property(fc.constantFrom(...bodies), fc.array(anyMutation, { minLength: 1, maxLength: 5 }), (body, mutations) =>
        wellFormed(extractGoStacks(mutations.reduce((text, mutate) => mutate(text), body))),
      ),
      { numRuns: 300 },
    );
  });

  test('a huge dump is read in bounded work: stack and frame caps, and the body cap', () => {
    const frame = 'github.com/o/r/pkg/x.F(0x1)\n\t/r/pkg/x/x.go:1 +0x1\n';
    const dump = Array.from({ length: 300 }, (_, i) => `goroutine ${i} [select]:\n${frame.repeat(80)}`).join('\n');
    const stacks = extractGoStacks(dump);
    expect(stacks).toHaveLength(MAX_STACKS);
    expect(stacks.every((s) => s.frames.length === MAX_STACK_FRAMES)).toBe(true);
    // goStacks reads what analyse reads, no more.
    expect(goStacks(`${'x'.repeat(MAX_BODY_CHARS)}\n${frame}`)).toEqual([]);
    expect(goStacks(null)).toEqual([]);
  });

  test('lines built to make regexes backtrack are read in one pass', () => {
    const hostile = `${'a.b('.repeat(200)}${'(x)'.repeat(300)})\n${'('.repeat(3000)})\n${'goroutine 1 ['.repeat(200)}\n`;
    expect(extractGoStacks(hostile.repeat(200))).toEqual([]);
  });
});
