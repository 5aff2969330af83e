// Unit tests of the Gherkin subset reader the flagd conformance suite runs on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gherkinCases } from './gherkin-cases.js';

const FEATURE = `@feature-tag
Feature: Things
  Free text describing the feature.

  # a comment
  Background:
    Given an evaluator

  @scenario-tag
  Scenario Outline: Outline
    Given a String-flag with key "<key>" and a fallback value "<default>"
    Then the resolved details value should be "<value>"

    @v1
    Examples: first
      | key | default         | value   |
      | a   | {\\"x\\": 1}       | a\\|b    |

    Examples:
      | key | default | value |
      | b   |         | \\\\n   |

  Scenario: Plain
    Then the resolved metadata should contain
      | key | value |
      | k   | <not-a-placeholder> |
    And something else
`;

test('scenarios and outline rows become cases, with background, tags, placeholders and tables', () => {
  const cases = gherkinCases(FEATURE);
  assert.deepEqual(
    cases.map((c) => ({ feature: c.feature, name: c.name, tags: c.tags, line: c.line })),
    [
      {
        feature: 'Things',
        name: 'Outline [first: key=a, default={\\"x\\": 1}, value=a|b]',
        tags: ['@feature-tag', '@scenario-tag', '@v1'],
        line: 17,
      },
      {
        feature: 'Things',
        name: 'Outline [key=b, default=, value=\\n]',
        tags: ['@feature-tag', '@scenario-tag'],
        line: 21,
      },
      { feature: 'Things', name: 'Plain', tags: ['@feature-tag'], line: 23 },
    ],
  );
  assert.deepEqual(cases[0]?.steps, [
    { text: 'an evaluator' },
    { text: 'a String-flag with key "a" and a fallback value "{\\"x\\": 1}"' },
    { text: 'the resolved details value should be "a|b"' },
  ]);
  assert.equal(cases[1]?.steps[1]?.text, 'a String-flag with key "b" and a fallback value ""');
  assert.deepEqual(cases[2]?.steps, [
    { text: 'an evaluator' },
    {
      text: 'the resolved metadata should contain',
      table: [
        ['key', 'value'],
        ['k', '<not-a-placeholder>'],
      ],
    },
    { text: 'something else' },
  ]);
});

test('what is outside the subset is an error naming the line', () => {
  assert.throws(
    () => gherkinCases('Feature: x\n  Scenario: y\n    Given z\n    Rule: nope\n'),
    /line 4: not understood/,
  );
  assert.throws(() => gherkinCases('Feature: x\n  Given z\n'), /line 2: a step outside a scenario/);
  assert.throws(
    () =>
      gherkinCases(
        'Feature: x\n  Scenario Outline: y\n    Given <a>\n    Examples:\n      | a | b |\n      | 1 |\n',
      ),
    /line 6: 1 cells under a header of 2/,
  );
});
