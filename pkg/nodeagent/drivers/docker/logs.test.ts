import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Demuxer, splitTimestamp } from './logs.ts';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('docker log stream', () => {
  it('demultiplexes frames however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom<1 | 2>(1, 2), fc.string({ maxLength: 40 })), { maxLength: 10 }),
        fc.array(fc.nat({ max: 50 }), { maxLength: 10 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(([s, t]) => frame(s, t)));
          const got: Array<[number, string]> = [];
          const demux = new Demuxer((s, p) => got.push([s, p.toString()]));
          let at = 0;
          for (const c of [...cuts, bytes.length]) {
            const end = Math.min(bytes.length, at + c);
            demux.push(bytes.subarray(at, end));
            at = end;
          }
          demux.push(bytes.subarray(at));
          assert.deepEqual(got, frames);
        },
      ),
    );
  });

  it('splits the daemon timestamp off an entry as seconds.nanoseconds', () => {
    const e = splitTimestamp(Buffer.from('2026-11-22T06:26:57.556396040Z hello world\n'))!;
    assert.equal(e.text.toString(), 'hello world\n');
    assert.equal(e.cursor, `${Date.UTC(2026, 10, 22, 6, 26, 57) / 1000}.556396040`);
    assert.equal(splitTimestamp(Buffer.from('2026-11-22T06:26:57.5Z x'))!.cursor.endsWith('.500000000'), true);
    assert.equal(splitTimestamp(Buffer.from('no stamp')), undefined);
  });
});
