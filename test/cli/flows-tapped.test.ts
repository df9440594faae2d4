/** Standard input read once for the flows and, piece by piece, for what Hubble says beside them (`tapped`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tapped } from '../../src/cli/options/flows.ts';
import { HubbleNames } from '../../src/generate/dns-names.ts';

const dnsLine = (name: string, ip: string): string =>
  JSON.stringify({ flow: { IP: { destination: ip }, destination_names: [name] } });

function pieces(...texts: string[]): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (const t of texts) yield await Promise.resolve(new TextEncoder().encode(t));
  })();
}

test('tapped: the reader gets every piece as it is, and the names every line, the last without a newline', async () => {
  const names = new HubbleNames();
  const text = `${dnsLine('a.example', '192.0.2.1')}\n${dnsLine('b.example', '192.0.2.2')}`;
  const source = tapped(pieces(text.slice(0, 30), text.slice(30)), names);
  assert.ok(!(source instanceof Promise));
  let read = '';
  for await (const chunk of source)
    read += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
  assert.equal(read, text);
  assert.deepEqual(names.names().get('192.0.2.1'), ['a.example']);
  assert.deepEqual(names.names().get('192.0.2.2'), ['b.example']);
});

test('tapped: a reader that stops early still hands the line carried over to the names', async () => {
  const names = new HubbleNames();
  const first = dnsLine('a.example', '192.0.2.1');
  const source = tapped(pieces(first, '\nnot read'), names);
  assert.ok(!(source instanceof Promise));
  for await (const chunk of source) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.deepEqual(names.names().get('192.0.2.1'), ['a.example']);
});

test('tapped: text read whole goes to the names whole', async () => {
  const names = new HubbleNames();
  const text = dnsLine('a.example', '192.0.2.1');
  assert.equal(await tapped(Promise.resolve(text), names), text);
  assert.deepEqual(names.names().get('192.0.2.1'), ['a.example']);
});
