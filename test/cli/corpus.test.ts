import { describe, expect, test } from '@jest/globals';
import { CorpusError, inFilingOrder, parseCorpus } from '../../src/cli/corpus.js';

describe('corpus files', () => {
  test('the REST shape and the gh shape read the same', () => {
    const rest = parseCorpus(
      JSON.stringify({
        number: 7,
        title: 't',
        body: 'b',
        state: 'closed',
        state_reason: 'completed',
        labels: [{ name: 'sig/execution', color: 'fff' }],
        created_at: '2024-01-01T00:00:00Z',
        repository_url: 'https://api.github.com/repos/PingCAP/TiDB',
      }),
      'rest.jsonl',
    );
    const gh = parseCorpus(
      JSON.stringify([
        { number: 7, title: 't', body: 'b', state: 'CLOSED', stateReason: 'completed', labels: [{ id: 'L', name: 'sig/execution' }], createdAt: '2024-01-01T00:00:00Z', url: 'https://github.com/pingcap/tidb/issues/7' },
      ]),
      'gh.json',
    );
    expect(rest).toEqual(gh);
    expect(rest.issues[0]).toEqual({
      repo: 'pingcap/tidb',
      number: 7,
      title: 't',
      body: 'b',
      state: 'closed',
      stateReason: 'completed',
      labels: ['sig/execution'],
      createdAt: '2024-01-01T00:00:00Z',
      duplicateOf: null,
      notDuplicateOf: null,
      showsRace: null,
    });
  });

  test('missing fields get defaults; unreadable entries are skipped with their line or position', () => {
    const { issues, warnings } = parseCorpus('{"number": 3}\n\nnot json\n{"number": "x"}\n', 'c.jsonl');
    expect(issues).toEqual([
      expect.objectContaining({ repo: '', number: 3, title: '', body: '', state: 'open', labels: [], duplicateOf: null }),
    ]);
    expect(warnings).toEqual(['c.jsonl:3: skipped: not a JSON object', expect.stringMatching(/^c\.jsonl:4: skipped: number: /)]);
    const array = parseCorpus('[{"number": 1}, {"title": "no number"}]', 'a.json');
    expect(array.warnings).toEqual([expect.stringMatching(/^a\.json: entry 2: skipped: number: /)]);
  });

  test('a broken JSON array is an error naming the file', () => {
    expect(() => parseCorpus('[{"number": 1}', 'broken.json')).toThrow(CorpusError);
    expect(() => parseCorpus('[{"number": 1}', 'broken.json')).toThrow(/^broken\.json: not a valid JSON array/);
  });

  test('filing order is the issue number within each repository', () => {
    const { issues } = parseCorpus(
      [
        { number: 65280, created_at: '2020-01-01T00:00:00Z', repository: 'pingcap/tidb' },
        { number: 12929, created_at: '2019-10-25T00:00:00Z', repository: 'pingcap/tidb' },
        { number: 31965, created_at: '2022-01-25T00:00:00Z', repository: 'pingcap/tidb' },
      ]
        .map((i) => JSON.stringify(i))
        .join('\n'),
      'tidb.jsonl',
    );
    expect(inFilingOrder(issues).map((i) => i.number)).toEqual([12929, 31965, 65280]);
  });
});

test('an issue listed twice is read once, from its later entry', () => {
  const { issues, warnings } = parseCorpus('{"number": 5, "title": "old"}\n{"number": 5, "title": "new"}\n', 'twice.jsonl');
  expect(issues.map((i) => i.title)).toEqual(['new']);
  expect(warnings).toEqual(['twice.jsonl:2: issue #5 appears again; this entry replaces the earlier one']);
});
