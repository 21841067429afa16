// Task logs: rotation by copy-and-truncate, reading the tail across archives, following across a rotation, and
// the whole path `GET allocations/{name}/log` → API server proxy → agent log listener → files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { realClock } from '../../clock/clock.ts';
import { eventually } from '../drivers/testing.ts';
import { liveLogPath, readLog, rotateIfNeeded } from './logs.ts';
import { withAgentHarness } from './testing.ts';

async function collect(gen: AsyncIterable<Buffer>): Promise<string> {
  let out = '';
  for await (const b of gen) out += b.toString();
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-logs-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('rotation keeps maxFiles files in all, numbering archives upwards and dropping the oldest', async () => {
  await withDir(async (dir) => {
    const live = liveLogPath(dir, 'web', 'stdout');
    const limits = { maxFiles: 3, maxFileBytes: 10 };
    await writeFile(live, 'short\n');
    assert.equal(await rotateIfNeeded(dir, 'web', 'stdout', limits), false);
    for (const text of ['first-chunk\n', 'second-chunk\n', 'third-chunk\n']) {
      await writeFile(live, text);
      assert.equal(await rotateIfNeeded(dir, 'web', 'stdout', limits), true);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['web.stdout', 'web.stdout.2', 'web.stdout.3']);
    assert.equal(await readFile(join(dir, 'web.stdout.3'), 'utf8'), 'third-chunk\n');
    assert.equal(await readFile(live, 'utf8'), '');
  });
});

test('reading: everything in order, or the last N lines across archives', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 't.stderr.1'), '1\n2\n');
    await writeFile(join(dir, 't.stderr.2'), '3\n4\n');
    await writeFile(liveLogPath(dir, 't', 'stderr'), '5\n6\n');
    const read = (tail?: number) => collect(readLog(dir, 't', 'stderr', { tail, clock: realClock }));
    assert.equal(await read(), '1\n2\n3\n4\n5\n6\n');
    assert.equal(await read(3), '4\n5\n6\n');
    assert.equal(await read(1), '6\n');
    assert.equal(await read(0), '');
    assert.equal(await read(100), '1\n2\n3\n4\n5\n6\n');
    await appendFile(liveLogPath(dir, 't', 'stderr'), 'partial');
    assert.equal(await read(2), '6\npartial');
    assert.equal(await collect(readLog(dir, 'missing', 'stdout', { clock: realClock })), '');
  });
});

test('following picks up appends and carries on across a rotation without losing or repeating lines', async () => {
  await withDir(async (dir) => {
    const live = liveLogPath(dir, 't', 'stdout');
    await writeFile(live, 'a\n');
    const abort = new AbortController();
    let got = '';
    const reading = (async () => {
      for await (const b of readLog(dir, 't', 'stdout', { follow: true, signal: abort.signal, clock: realClock, pollMs: 5 })) got += b.toString();
    })();
    const until = (text: string) => eventually(() => got.includes(text), `the follower saw ${JSON.stringify(text)}`);
    await until('a\n');
    await appendFile(live, 'b\n');
    await until('b\n');
    await appendFile(live, 'c\n');
    await rotateIfNeeded(dir, 't', 'stdout', { maxFiles: 5, maxFileBytes: 1 });
    await appendFile(live, 'd\n');
    await until('d\n');
    abort.abort();
    await reading;
    assert.equal(got, 'a\nb\nc\nd\n');
  });
});

test('GET allocations/{name}/log proxies to the agent: tail, stderr, follow, errors', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    const job = await h.createJob('chatty', {
      tasks: [
        { name: 'side', driver: 'mock', lifecycle: { hook: 'prestart', sidecar: true }, config: { stdout: 'from the sidecar\n' } },
        { name: 'main', driver: 'mock', config: { stdout: 'hello\nworld\n', stderr: 'oops\n' } },
      ],
    }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('chatty-a0', (a) => a.status?.taskStates?.main?.state === 'running', 'main running');
    const base = `${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/chatty-a0/log`;
    const get = async (query: string) => {
      const res = await request(`${base}${query}`);
      return { code: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
    };
    assert.deepEqual(await get(''), { code: 200, type: 'text/plain; charset=utf-8', text: 'hello\nworld\n' }, 'default: the first main task');
    assert.equal((await get('?container=main&tailLines=1')).text, 'world\n');
    assert.equal((await get('?container=main&stderr=true')).text, 'oops\n');
    assert.equal((await get('?container=side')).text, 'from the sidecar\n');
    const missing = await get('?container=nope');
    assert.equal(missing.code, 404);
    assert.match(JSON.parse(missing.text).message, /task "nope" not found in allocation "chatty-a0" \(tasks: side, main\)/);
    const noAlloc = await request(`${h.api.url}/apis/drover.dev/v1/namespaces/default/allocations/nothing/log`);
    assert.equal(noAlloc.statusCode, 404);
    assert.equal((await noAlloc.body.json() as { reason: string }).reason, 'NotFound');
    assert.equal((await get('?tailLines=-1')).code, 400);

    // Follow: what the task appends later arrives on the open stream.
    const runner = agent.runners().find((r) => r.allocation.metadata.name === 'chatty-a0')!;
    const path = liveLogPath(runner.allocDir.logs, 'main', 'stdout');
    const abort = new AbortController();
    const res = await request(`${base}?container=main&follow=true&tailLines=1`, { signal: abort.signal });
    let got = '';
    const reading = (async () => {
      try {
        for await (const chunk of res.body) got += chunk.toString();
      } catch {
        // aborted
      }
    })();
    await h.until(() => got === 'world\n', 'the tail arrives');
    await appendFile(path, 'later\n');
    await h.until(() => got === 'world\nlater\n', 'the appended line arrives');
    abort.abort();
    await reading;
  });
});

test('the agent rotates a running task\'s logs at maxFileSizeMB, keeping maxFiles', async () => {
  await withAgentHarness(async (h) => {
    const agent = await h.startAgent();
    const job = await h.createJob('loud', { tasks: [{ name: 't', driver: 'mock', logs: { maxFiles: 2, maxFileSizeMB: 1 } }] }, { type: 'service' });
    await h.place(job);
    await h.untilAlloc('loud-a0', (a) => a.status?.clientStatus === 'running', 'running');
    const dir = agent.runners()[0]!.allocDir.logs;
    const line = 'x'.repeat(1023) + '\n';
    const chunk = line.repeat(1100); // a little over 1 MB
    await appendFile(liveLogPath(dir, 't', 'stdout'), chunk);
    await h.until(async () => (await readdir(dir)).includes('t.stdout.1'), 'the first rotation');
    await appendFile(liveLogPath(dir, 't', 'stdout'), chunk);
    await h.until(async () => (await readdir(dir)).includes('t.stdout.2'), 'the second rotation');
    await h.until(async () => !(await readdir(dir)).includes('t.stdout.1'), 'the oldest archive dropped');
    assert.equal((await readFile(join(dir, 't.stdout.2'), 'utf8')).length, chunk.length);
    const tail = await collect(readLog(dir, 't', 'stdout', { tail: 2, clock: realClock }));
    assert.equal(tail, line + line);
  });
});
