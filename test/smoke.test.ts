import { expect, test } from '@jest/globals';
import { analyse } from '../src/race/index.js';

test('an empty body has no races', () => {
  expect(analyse('')).toEqual([]);
});
