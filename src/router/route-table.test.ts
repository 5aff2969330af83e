import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RouteTable, validateTable } from './route-table.js';

describe('validateTable', () => {
  test('accepts a well-formed table', () => {
    const table: RouteTable = {
      sticky: true,
      revisions: [
        {
          id: 'r-1',
          role: 'stable',
          weight: 99.9,
          instances: [{ id: 'a', host: '127.0.0.1', port: 8080, ready: true }],
        },
        { id: 'r-2', role: 'canary', weight: 0.1, instances: [] },
      ],
    };
    assert.deepEqual(validateTable(table), []);
  });

  test('reports every problem with its path', () => {
    const bad = {
      sticky: false,
      revisions: [
        { id: 'r-1', role: 'stable', weight: 101, instances: [{ id: 'a', host: '', port: 0, ready: true }] },
        {
          id: 'r-1',
          role: 'stable',
          weight: Number.NaN,
          instances: [{ id: 'a', host: 'h', port: 1, ready: 'yes' }],
        },
      ],
    } as unknown as RouteTable;
    assert.deepEqual(validateTable(bad), [
      'revisions[0].weight must be a number from 0 to 100',
      'revisions[0].instances[0].host must be a non-empty string',
      'revisions[0].instances[0].port must be an integer from 1 to 65535',
      'revisions[1].id "r-1" is not unique',
      'revisions[1].role "stable" is used twice',
      'revisions[1].weight must be a number from 0 to 100',
      'revisions[1].instances[0].id "a" is not unique',
      'revisions[1].instances[0].ready must be a boolean',
    ]);
  });
});
