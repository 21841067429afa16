// The template watch on its own: an input change re-renders and applies the change mode after the splay (on an
// injected clock and random source), changes during a render coalesce into one more, a stopped task is left
// alone, and a failed re-render is an event that touches nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { TaskInputError } from './input-error.ts';
import { staticInputs, type InputRef } from './input-source.ts';
import { TEMPLATE_RESTART_REASON, TemplateWatch } from './template-watch.ts';
import type { TaskRunner } from './task-runner.ts';
import type { Rendered, RenderResult } from './templates.ts';

const ref: InputRef = { kind: 'configmaps', namespace: 'ns', name: 'app' };
const cm = { apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name: 'app', namespace: 'ns' }, data: {} };

/** A runner that records what it was asked. */
function fakeRunner() {
  const calls: string[] = [];
  const r = {
    isRunning: true,
    restart: async (reason: string, opts?: { counted?: boolean }) => void calls.push(`restart ${reason} counted=${opts?.counted}`),
    signal: async (sig: string, reason: string) => void calls.push(`signal ${sig} ${reason}`),
    note: (type: string, message: string) => void calls.push(`note ${type}: ${message}`),
  };
  return { calls, runner: r as unknown as TaskRunner & { isRunning: boolean } };
}

const rendered = (changeMode: 'restart' | 'signal' | 'noop', changed: boolean, extra: Partial<Rendered['spec']> = {}): Rendered =>
  ({ spec: { destination: 'local/x', changeMode, ...extra }, label: 'templates[0] (local/x)', path: '/x', content: '', changed });

function setup(results: Array<RenderResult | Error>, random = 0.5) {
  const clock = new ManualClock(0);
  const inputs = staticInputs();
  const { calls, runner } = fakeRunner();
  let renders = 0;
  const watch = new TemplateWatch({
    inputs, clock, logger: silentLogger, random: () => random,
    render: async () => {
      const r = results[Math.min(renders++, results.length - 1)]!;
      if (r instanceof Error) throw r;
      return r;
    },
    runner: () => runner,
  });
  watch.arm([ref]);
  return { clock, inputs, calls, runner, watch, renders: () => renders };
}

test('a change that alters a restart template restarts the task at once, uncounted', async () => {
  const s = setup([{ rendered: [rendered('restart', true), rendered('signal', true)], env: {}, refs: [ref] }]);
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.deepEqual(s.calls, [`restart ${TEMPLATE_RESTART_REASON} counted=false`]);
});

test('signal templates are signalled after a splay of random × splay; nothing changed means nothing happens', async () => {
  const s = setup([
    { rendered: [rendered('signal', false, { changeSignal: 'SIGUSR1' })], env: {}, refs: [ref] },
    { rendered: [rendered('signal', true, { changeSignal: 'SIGUSR1', splay: '10s' }), rendered('noop', true)], env: {}, refs: [ref] },
  ], 0.25);
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.deepEqual(s.calls, [], 'the file did not change');
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.deepEqual(s.calls, [], 'waiting out the splay');
  s.clock.advance(2499);
  assert.deepEqual(s.calls, []);
  s.clock.advance(1);
  assert.deepEqual(s.calls, ['signal SIGUSR1 Template re-rendered']);
});

test('changes arriving during a render coalesce into one more render', async () => {
  const s = setup([{ rendered: [rendered('noop', true)], env: {}, refs: [ref] }]);
  s.inputs.set(ref, cm);
  s.inputs.set(ref, cm);
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.equal(s.renders(), 2);
});

test('a task that is not running is not re-rendered; a failed re-render is only an event; stop ends the watch', async () => {
  const s = setup([new TaskInputError('Template Failure', 'templates[0] (local/x): template: local/x:1:4: error calling key: gone', true)]);
  s.runner.isRunning = false;
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.equal(s.renders(), 0);
  s.runner.isRunning = true;
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.deepEqual(s.calls, ['note Template Failure: templates[0] (local/x): template: local/x:1:4: error calling key: gone']);
  s.watch.stop();
  s.inputs.set(ref, cm);
  await s.watch.idle();
  assert.equal(s.renders(), 1);
});
