import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quoteShellWord, remoteCommandLine, sshControlArgs, sshRunArgs } from './ssh-args.js';
import { checkTarget } from './ssh-target.js';

const control = { path: '/tmp/slipway-ssh-x/master', persistSeconds: 60 };

describe('ssh command lines', () => {
  test('every option is explicit, host keys are always checked, the command comes last', () => {
    const args = sshRunArgs(
      {
        name: 'web-1',
        user: 'deploy',
        host: 'web.example',
        port: 2222,
        knownHostsFile: '/k',
        identityFile: '/id',
      },
      { connectTimeoutSeconds: 3 },
      control,
      'echo hi',
    );
    assert.ok(args.includes('StrictHostKeyChecking=yes'));
    assert.ok(!args.some((arg) => /StrictHostKeyChecking=(no|accept-new)/.test(arg)));
    for (const option of [
      'BatchMode=yes',
      'ConnectTimeout=3',
      'UserKnownHostsFile=/k',
      'GlobalKnownHostsFile=/dev/null',
      'IdentityFile=/id',
      'IdentitiesOnly=yes',
      'User=deploy',
      'Port=2222',
      'ControlMaster=auto',
      'ControlPath=/tmp/slipway-ssh-x/master',
      'ControlPersist=60',
    ])
      assert.ok(args.includes(option), option);
    assert.deepEqual(args.slice(-3), ['--', 'web.example', 'echo hi']);
    assert.ok(!args.includes('-F'), "the user's ~/.ssh/config is read unless a file is given");
  });

  test('control requests name the same socket', () => {
    const args = sshControlArgs({ name: 'a', host: 'h' }, { configFile: '/dev/null' }, control, 'exit');
    assert.deepEqual(args.slice(0, 2), ['-F', '/dev/null']);
    assert.deepEqual(args.slice(-4), ['-O', 'exit', '--', 'h']);
  });

  test('argv words are quoted for the remote shell', () => {
    assert.equal(quoteShellWord('plain/path-1.txt'), 'plain/path-1.txt');
    assert.equal(quoteShellWord("it's"), `'it'\\''s'`);
    assert.equal(remoteCommandLine(['echo', 'a b', '$HOME']), `echo 'a b' '$HOME'`);
    assert.equal(remoteCommandLine('echo $HOME'), 'echo $HOME');
  });

  test('targets that could smuggle options are refused', () => {
    for (const bad of [
      { name: 'x', host: '-oProxyCommand=sh' },
      { name: 'x', host: 'a b' },
      { name: 'x', host: 'h', user: '-l' },
      { name: 'x', host: 'h', port: 70000 },
      { name: 'x', host: 'h', knownHostsFile: '/a b' },
      { name: '', host: 'h' },
    ])
      assert.throws(() => checkTarget(bad), { code: 'SSH_BAD_TARGET' });
    checkTarget({ name: 'web-1', host: 'fe80::1', user: 'deploy', port: 22 });
  });
});
