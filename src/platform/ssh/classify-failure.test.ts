import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifySshFailure } from './classify-failure.js';
import type { SshTarget } from './ssh-target.js';

const WEB: SshTarget = { name: 'web-1', user: 'deploy', host: '10.0.0.5', knownHostsFile: '/srv/kh' };

const CHANGED = `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
Offending ED25519 key in /srv/kh:1
Host key for 10.0.0.5 has changed and you have requested strict checking.
Host key verification failed.
`;

describe('classifySshFailure', () => {
  const cases: [string, string, string, RegExp][] = [
    ['changed key', CHANGED, 'SSH_HOST_KEY_CHANGED', /web-1 .*\/srv\/kh.*slipway host trust web-1/],
    [
      'unknown key',
      'No ED25519 host key is known for 10.0.0.5 and you have requested strict checking.\nHost key verification failed.\n',
      'SSH_HOST_KEY_UNKNOWN',
      /web-1 \(deploy@10\.0\.0\.5\) is not trusted yet.*\/srv\/kh.*`slipway host trust web-1`/,
    ],
    [
      'auth',
      'deploy@10.0.0.5: Permission denied (publickey).\n',
      'SSH_AUTH_FAILED',
      /as deploy: .*Permission denied/,
    ],
    [
      'refused',
      'ssh: connect to host 10.0.0.5 port 22: Connection refused\n',
      'SSH_HOST_UNREACHABLE',
      /Cannot reach host web-1 .*Connection refused/,
    ],
    [
      'timeout',
      'ssh: connect to host 10.0.0.5 port 22: Connection timed out\n',
      'SSH_HOST_UNREACHABLE',
      /timed out/,
    ],
    ['banner', 'Connection timed out during banner exchange\n', 'SSH_HOST_UNREACHABLE', /banner/],
    [
      'lost',
      'Timeout, server 10.0.0.5 not responding.\n',
      'SSH_CONNECTION_LOST',
      /Lost the connection to web-1/,
    ],
    ['other', 'something new\n', 'SSH_FAILED', /ssh to web-1 .*something new/],
  ];
  for (const [label, stderr, code, message] of cases) {
    test(label, () => {
      const error = classifySshFailure(WEB, stderr);
      assert.equal(error.code, code);
      assert.equal(error.host, 'web-1');
      assert.match(error.message, message);
      assert.equal(error.sshMessage, stderr.trim());
    });
  }
});
