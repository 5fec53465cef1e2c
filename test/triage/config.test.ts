import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { configJsonSchema, DEFAULT_CONFIG, engineOptions, parseConfig } from '../../src/triage/config.js';

describe('parseConfig', () => {
  it.each(['', '\n', '# only a comment\n', '---\n'])('gives the defaults for an empty file (%j)', (text) => {
    expect(parseConfig(text)).toEqual({ config: DEFAULT_CONFIG });
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      race_label: 'type/data-race',
      label_rules: {},
      default_component_prefix: 'component/',
      create_labels: false,
      thresholds: { duplicate: 0.75, component_agreement: 0.6 },
      max_duplicates: 5,
      dry_run: false,
      retriage: ['author', 'triage', 'write', 'maintain', 'admin'],
      siblings: [],
      learned_labels: { enabled: false },
    });
  });

  it('reads label rules written as one label or a list, and turns the race label off', () => {
    const { config, error } = parseConfig(
      ['race_label: false', 'label_rules:', '  "pkg/executor/**": [sig/execution, component/executor]', '  pkg/ddl/**: sig/sql-infra'].join('\n'),
    );
    expect(error).toBeUndefined();
    expect(config.race_label).toBe(false);
    expect(config.label_rules).toEqual({ 'pkg/executor/**': ['sig/execution', 'component/executor'], 'pkg/ddl/**': ['sig/sql-infra'] });
  });

  it('treats an empty race_label as off', () => {
    expect(parseConfig('race_label:\n').config.race_label).toBeNull();
  });

  it('lower-cases sibling repositories', () => {
    expect(parseConfig('siblings: [PingCAP/TiFlow]').config.siblings).toEqual(['pingcap/tiflow']);
  });

  it('parses the full sample file in docs/config.md without a word of complaint', () => {
    const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    const sample = /## A full sample file\n+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(sample).toBeDefined();
    const { config, error } = parseConfig(sample!);
    expect(error).toBeUndefined();
    expect(config).not.toEqual(DEFAULT_CONFIG);
  });

  describe('a bad value: the defaults, and a message with file, line and reason', () => {
    it.each([
      [
        'a threshold out of range',
        '# race-triage\nrace_label: type/data-race\ncreate_labels: true\n\nlabel_rules:\n  "pkg/executor/**": sig/execution\nthresholds:\n  duplicate: 1.5\n',
        '.github/race-triage.yml line 8: thresholds.duplicate must be a number between 0 and 1; the defaults are used',
      ],
      [
        'a threshold written as text',
        'thresholds:\n  component_agreement: high\n',
        '.github/race-triage.yml line 2: thresholds.component_agreement must be a number between 0 and 1; the defaults are used',
      ],
      [
        'a yes/no setting written as a word',
        'max_duplicates: 3\ndry_run: maybe\n',
        '.github/race-triage.yml line 2: dry_run must be true or false; the defaults are used',
      ],
      [
        'an unknown /retriage role',
        'retriage:\n  - author\n  - everyone\n',
        '.github/race-triage.yml line 3: retriage[1] must list roles from: author, read, triage, write, maintain, admin; the defaults are used',
      ],
      [
        'a label rule mapping to a number',
        'label_rules:\n  pkg/planner/**: 42\n',
        '.github/race-triage.yml line 2: label_rules.pkg/planner/** must be a label name or a list of label names; the defaults are used',
      ],
      [
        'a sibling that is not owner/name',
        'siblings:\n  - tiflow\n',
        '.github/race-triage.yml line 2: siblings[0] must be a repository written as owner/name; the defaults are used',
      ],
      [
        'a list where settings belong',
        '- race_label\n',
        '.github/race-triage.yml line 1: the file must be a mapping of settings (key: value lines); the defaults are used',
      ],
    ])('%s', (_what, text, message) => {
      expect(parseConfig(text)).toEqual({ config: DEFAULT_CONFIG, error: message });
    });

    it('names up to three problems and counts the rest', () => {
      const text = 'max_duplicates: 0\ndry_run: 1\ncreate_labels: 2\ncomments_per_hour: -1\nsiblings: 3\n';
      const { error } = parseConfig(text, 'org/.github:race-triage.yml');
      expect(error).toBe(
        'org/.github:race-triage.yml line 1: max_duplicates must be a whole number from 1 to 20; ' +
          'org/.github:race-triage.yml line 2: dry_run must be true or false; ' +
          'org/.github:race-triage.yml line 3: create_labels must be true or false (and 2 more); the defaults are used',
      );
    });
  });

  describe('YAML that does not parse', () => {
    it('names the line of the syntax error', () => {
      const { config, error } = parseConfig('race_label: type/data-race\nlabel_rules:\n  "pkg/executor/**": [sig/execution\n');
      expect(config).toEqual(DEFAULT_CONFIG);
      expect(error).toMatch(/^\.github\/race-triage\.yml line 4: .+; the defaults are used$/);
    });

    it('names a repeated key', () => {
      expect(parseConfig('dry_run: true\nmax_duplicates: 3\ndry_run: false\n').error).toBe(
        '.github/race-triage.yml line 3: Map keys must be unique; the defaults are used',
      );
    });

    it('refuses an alias bomb instead of expanding it', () => {
      const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
      const { config, error } = parseConfig(bomb);
      expect(config).toEqual(DEFAULT_CONFIG);
      expect(error).toMatch(/^\.github\/race-triage\.yml: .*alias.*; the defaults are used$/i);
    });
  });

  describe('unknown keys (usually typos)', () => {
    it('are named with their line and ignored, and the rest of the file is used', () => {
      const { config, error } = parseConfig('max_duplicates: 3\nlabel_rule:\n  pkg/ddl/**: sig/sql-infra\nthresholds:\n  duplicate: 0.9\n  agreement: 0.8\n');
      expect(error).toBe(
        '.github/race-triage.yml line 2: unknown key label_rule is ignored; .github/race-triage.yml line 6: unknown key thresholds.agreement is ignored',
      );
      expect(config.max_duplicates).toBe(3);
      expect(config.thresholds).toEqual({ duplicate: 0.9, component_agreement: 0.6 });
    });

    it('do not hide a bad value next to them', () => {
      const { config, error } = parseConfig('labelrules: {}\nmax_duplicates: 100\n');
      expect(config).toEqual(DEFAULT_CONFIG);
      expect(error).toBe('.github/race-triage.yml line 2: max_duplicates must be a whole number from 1 to 20; the defaults are used');
    });

    it("accept Probot's _extends", () => {
      expect(parseConfig('_extends: .github\nmax_duplicates: 2\n').error).toBeUndefined();
    });
  });
});

describe('engineOptions', () => {
  it('passes prefixes, aliases and ignored frames to the engine', () => {
    const { config } = parseConfig(
      'module_prefixes: [github.com/pingcap/tidb/]\naliases:\n  store/tikv: tikv/client-go/tikv\nignore_frames: [testkit.]\n',
    );
    expect(engineOptions(config)).toEqual({
      modulePrefixes: ['github.com/pingcap/tidb/'],
      aliases: { 'store/tikv': 'tikv/client-go/tikv' },
      ignoreFrames: ['testkit.'],
    });
  });
});

describe('docs/config.schema.json', () => {
  it('is up to date with the schema (regenerate: npx tsx scripts/config-schema.ts)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../docs/config.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });

  it('describes every key of the file', () => {
    const properties = Object.keys((configJsonSchema() as { properties: object }).properties);
    expect(properties.sort()).toEqual(Object.keys(DEFAULT_CONFIG).concat('_extends').sort());
  });
});
