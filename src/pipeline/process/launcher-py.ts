/**
 * The launcher program: a small Python process that starts job commands for the runner.
 * CPython starts children with vfork (no copy of the parent's page tables), which is several
 * times cheaper than a fork of the Node.js runner; that is what lets thousand-job pipelines run
 * at the speed of make. It forwards each job's output over its stdout and reports exits; the
 * runner keeps every policy (timeouts, cancellation, process-group cleanup).
 *
 * Protocol. In (one JSON object per line): {"id", "argv", "cwd", "set", "unset"}, where set/unset
 * change the environment kept from the previous job (most jobs share most of it). Out (frames):
 * `S id pid\n` started, `F id len\n<message>` failed to start, `O id len\n<bytes>` stdout,
 * `E id len\n<bytes>` stderr, `X id status\n` exited (negative: killed by that signal),
 * `C id\n` both pipes closed.
 */
export const LAUNCHER_PY = String.raw`
import json, os, selectors, signal, subprocess, sys

out = sys.stdout.buffer
def send(head, data=b''):
    out.write(head.encode() + b'\n' + data)
    out.flush()

sel = selectors.DefaultSelector()
rfd, wfd = os.pipe()
os.set_blocking(rfd, False); os.set_blocking(wfd, False)
signal.set_wakeup_fd(wfd)
signal.signal(signal.SIGCHLD, lambda *_: None)
signal.signal(signal.SIGINT, signal.SIG_IGN)
sel.register(rfd, selectors.EVENT_READ, ('wake', None))
stdin = sys.stdin.buffer.fileno()
sel.register(stdin, selectors.EVENT_READ, ('cmd', None))
pending = b''
jobs = {}      # pid -> id
pipes = {}     # id -> open pipe count
input_open = True

def reap():
    while jobs:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        jid = jobs.pop(pid, None)
        if jid is None:
            continue
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        send('X %s %d' % (jid, code))

env = {}

def start(req):
    jid = str(req['id'])
    env.update(req['set'])
    for name in req['unset']:
        env.pop(name, None)
    try:
        p = subprocess.Popen(req['argv'], cwd=req['cwd'], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, close_fds=True)
    except Exception as e:
        msg = str(e).encode()
        send('F %s %d' % (jid, len(msg)), msg)
        return
    jobs[p.pid] = jid
    pipes[jid] = 2
    for stream, kind in ((p.stdout, 'O'), (p.stderr, 'E')):
        fd = stream.fileno()
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ, (kind, (jid, stream)))
    p.returncode = 0  # this loop reaps it, not Popen
    send('S %s %d' % (jid, p.pid))

try:
    while input_open or jobs or pipes:
        for key, _ in sel.select(1.0):
            kind, data = key.data
            if kind == 'wake':
                try:
                    os.read(rfd, 4096)
                except BlockingIOError:
                    pass
                reap()
            elif kind == 'cmd':
                chunk = os.read(stdin, 65536)
                if not chunk:
                    input_open = False
                    sel.unregister(stdin)
                    continue
                pending += chunk
                while b'\n' in pending:
                    line, pending = pending.split(b'\n', 1)
                    if line.strip():
                        start(json.loads(line))
            else:
                jid, stream = data
                try:
                    chunk = os.read(key.fd, 262144)
                except BlockingIOError:
                    continue
                if chunk:
                    send('%s %s %d' % (kind, jid, len(chunk)), chunk)
                else:
                    sel.unregister(key.fd)
                    stream.close()
                    pipes[jid] -= 1
                    if pipes[jid] == 0:
                        del pipes[jid]
                        send('C %s' % jid)
        reap()
except BrokenPipeError:
    pass
`;
