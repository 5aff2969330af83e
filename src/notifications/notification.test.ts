import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudEventType } from './cloud-event.js';
import { renderText, TRIGGERS } from './notification.js';

describe('renderText', () => {
  it('renders title, text, the facts that are set, the time and the link', () => {
    const text = renderText({
      trigger: 'region.failedover',
      id: 'evt-9',
      title: 'eu-west failed over',
      text: 'Health checks failed for 3 minutes.',
      environment: 'production',
      fromRegion: 'eu-west',
      toRegion: 'eu-central',
      url: 'https://slipway.example.com/fleet',
      at: Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    assert.equal(
      text,
      [
        '[Region failed over] eu-west failed over',
        '',
        'Health checks failed for 3 minutes.',
        '',
        'Environment: production',
        'Region: eu-west -> eu-central',
        '',
        'At: 2026-01-02T03:04:05.000Z',
        'Details: https://slipway.example.com/fleet',
      ].join('\n'),
    );
  });
});

describe('cloudEventType', () => {
  it('gives every trigger a CDEvents type', () => {
    for (const trigger of TRIGGERS)
      assert.match(cloudEventType(trigger), /^dev\.cdevents(x)?\.[a-z-]+\.[a-zA-Z]+\.\d+\.\d+\.\d+$/);
  });
});
