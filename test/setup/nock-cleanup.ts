import { afterAll } from '@jest/globals';

// Without restore, nock's interceptors leak into the next test file in the same worker.
afterAll(async () => {
  const nock = (await import('nock')).default;
  nock.cleanAll();
  nock.restore();
});
