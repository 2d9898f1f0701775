// Secret masking: every occurrence becomes `***` however the output is chunked, overlapping
// secrets leave no byte behind, bytes that are not secrets pass untouched (binary, UTF-8), and
// at most longest - 1 bytes are ever held back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MASK, MIN_SECRET_BYTES, maskAll, SecretMasker, validateSecretValue } from '../../src/runner/secret-mask.js';

/** Writes the chunks one by one, ends, and returns everything the masker pushed. */
async function through(chunks: Array<Buffer | string>, secrets: string[]): Promise<{ out: Buffer; maxHeld: number }> {
  const masker = new SecretMasker(secrets);
  const parts: Buffer[] = [];
  masker.on('data', (chunk: Buffer) => parts.push(chunk));
  let maxHeld = 0;
  for (const chunk of chunks) {
    masker.write(chunk);
    maxHeld = Math.max(maxHeld, masker.heldBackBytes);
  }
  masker.end();
  await once(masker, 'end');
  return { out: Buffer.concat(parts), maxHeld };
}

/** The specification, by brute force: every occurrence of every secret at every byte position,
 *  overlapping occurrences merged, each merged range replaced by one `***`. */
function reference(data: Buffer, secrets: string[]): Buffer {
  const needles = secrets.filter((s) => s !== '').map((s) => Buffer.from(s, 'utf8'));
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < data.length; i++) {
    for (const needle of needles) {
      if (i + needle.length <= data.length && data.subarray(i, i + needle.length).equals(needle)) ranges.push([i, i + needle.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: Buffer[] = [];
  let pos = 0;
  let open: [number, number] | null = null;
  for (const [start, end] of ranges) {
    if (open && start < open[1]) {
      open[1] = Math.max(open[1], end);
      continue;
    }
    if (open) pos = open[1];
    parts.push(data.subarray(pos, start), Buffer.from(MASK));
    open = [start, end];
  }
  if (open) pos = open[1];
  parts.push(data.subarray(pos));
  return Buffer.concat(parts);
}

/** Deterministic pseudo-random numbers. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function randomBytes(n: number, seed: number): Buffer {
  const next = random(seed);
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

const SECRETS = ['hunter22', 'pässwörd€', 'S3CR3T-LONG-VALUE-0123456789'];
const LONGEST = Math.max(...SECRETS.map((s) => Buffer.byteLength(s)));
const TEXT = 'start hunter22 ünïcödé ✓ pässwörd€ 😀 and S3CR3T-LONG-VALUE-0123456789 end hunter2 hunter22';
const MASKED = 'start *** ünïcödé ✓ *** 😀 and *** end hunter2 ***';

test('maskAll replaces every occurrence and leaves the rest alone', () => {
  assert.is(maskAll(TEXT, SECRETS), MASKED);
  assert.is(maskAll('nothing to hide', SECRETS), 'nothing to hide');
  assert.is(maskAll('hunter22', SECRETS), '***');
  assert.is(maskAll('', SECRETS), '');
  assert.is(maskAll('abc', []), 'abc');
});

test('the longest of secrets sharing a prefix is masked whole', () => {
  assert.is(maskAll('token=abcdefgh;', ['abcd', 'abcdefgh']), 'token=***;');
  assert.is(maskAll('token=abcdefgh;', ['abcdefgh', 'abcd']), 'token=***;');
  assert.is(maskAll('abcd abcdefgh abcdef', ['abcd', 'abcdefgh']), '*** *** ***ef');
  assert.is(maskAll('xx-abcdefgh-xx', ['cdef', 'abcdefgh']), 'xx-***-xx', 'a secret inside another');
});

test('overlapping occurrences leave no byte of any secret behind', () => {
  assert.is(maskAll('x abcdef x', ['abcd', 'cdef']), 'x *** x');
  assert.is(maskAll('x abcdefgh x', ['abcd', 'cdef', 'efgh']), 'x *** x', 'a chain of overlaps');
  assert.is(maskAll('aaaaaa', ['aaaa']), '***', 'a secret overlapping itself');
  assert.is(maskAll('abcdabcd', ['abcd']), '******', 'touching occurrences stay two masks');
});

test('secrets with regex metacharacters are matched literally', () => {
  const secrets = ['a.b*c', '(x|y)+', '$1\\n', '[^]{2}', 'p?ss^$'];
  const text = 'a.b*c aXbbc (x|y)+ xy $1\\n $1\n [^]{2} p?ss^$ pss';
  assert.is(maskAll(text, secrets), '*** aXbbc *** xy *** $1\n *** *** pss');
  assert.equal(reference(Buffer.from(text), secrets).toString(), maskAll(text, secrets));
});

test('empty secrets are ignored, duplicates are harmless, short ones are still masked', () => {
  assert.is(maskAll('abc', ['']), 'abc');
  assert.is(maskAll('abc hunter22', ['', 'hunter22', 'hunter22']), 'abc ***');
  assert.is(maskAll('a b ab', ['ab']), 'a b ***', 'validateSecretValue refuses these; masking never leaks them');
});

test('a multi-line secret (a key file) is masked', () => {
  const key = '-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n';
  assert.is(maskAll(`cat key\n${key}done\n`, [key]), 'cat key\n***done\n');
});

test('validateSecretValue refuses values under 4 bytes without showing them', () => {
  assert.is(MIN_SECRET_BYTES, 4);
  assert.is(validateSecretValue('DEPLOY_TOKEN', 'ab'), 'secret DEPLOY_TOKEN: expected a value of at least 4 bytes so it can be masked in job logs, got 2 bytes');
  assert.is(validateSecretValue('PIN', '1'), 'secret PIN: expected a value of at least 4 bytes so it can be masked in job logs, got 1 byte');
  assert.not.match(validateSecretValue('X', 'q7z')!, 'q7z');
  assert.is(validateSecretValue('OK', 'abcd'), null);
  assert.is(validateSecretValue('OK', 'éé'), null, 'counted in UTF-8 bytes: 2 characters, 4 bytes');
  assert.is(validateSecretValue('EMPTY', ''), null, 'an empty value has nothing to hide and is ignored');
  assert.is(validateSecretValue('N', 42 as unknown as string), 'secret N: expected a string value, got number');
});

test('bad arguments say what was expected and what was received', () => {
  assert.throws(() => new SecretMasker('hunter22' as unknown as string[]), /SecretMasker: expected an array of secret values, got string/);
  assert.throws(() => new SecretMasker(['ok-value', 7 as unknown as string]), /SecretMasker: expected secrets\[1\] to be a string, got number/);
  assert.throws(() => maskAll('x', [null as unknown as string]), /maskAll: expected secrets\[0\] to be a string, got object/);
});

test('the stream gives the same bytes as maskAll when the text is split at every position', async () => {
  const data = Buffer.from(TEXT, 'utf8');
  const expected = Buffer.from(MASKED, 'utf8');
  for (let i = 0; i <= data.length; i++) {
    const { out, maxHeld } = await through([data.subarray(0, i), data.subarray(i)], SECRETS);
    assert.equal(out, expected, `split at byte ${i}`);
    assert.ok(maxHeld <= LONGEST - 1, `held back ${maxHeld} bytes`);
  }
});

test('split into three writes at every pair of positions', async () => {
  const secrets = ['abcdef', 'cdefgh', 'abcd', 'xyzw'];
  const text = 'xx abcdefgh yy abcd xyzw abcdeX zz';
  const data = Buffer.from(text);
  const expected = reference(data, secrets);
  assert.is(expected.toString(), 'xx *** yy *** *** ***eX zz');
  for (let i = 0; i <= data.length; i++) {
    for (let j = i; j <= data.length; j++) {
      const { out } = await through([data.subarray(0, i), data.subarray(i, j), data.subarray(j)], secrets);
      assert.equal(out, expected, `splits at ${i} and ${j}`);
    }
  }
});

test('one byte per write', async () => {
  const data = Buffer.from(TEXT.repeat(5), 'utf8');
  const chunks = [...data].map((b) => Buffer.from([b]));
  const { out, maxHeld } = await through(chunks, SECRETS);
  assert.is(out.toString('utf8'), MASKED.repeat(5));
  assert.equal(out, reference(data, SECRETS));
  assert.ok(maxHeld <= LONGEST - 1, `held back ${maxHeld} bytes, longest secret ${LONGEST}`);
  assert.ok(maxHeld > 0, 'bytes that may start a secret are held back');
});

test('a chunk that is exactly a secret, and a secret longer than every chunk', async () => {
  assert.is((await through(['hunter22'], SECRETS)).out.toString(), '***');
  assert.is((await through(['a', 'hunter22', 'b'], SECRETS)).out.toString(), 'a***b');
  assert.is((await through(['hunter22', 'hunter22'], SECRETS)).out.toString(), '******');
  const long = 'L'.repeat(1000) + 'ong-secret';
  const data = Buffer.from(`before ${long} after`);
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 7) chunks.push(data.subarray(i, i + 7));
  const { out, maxHeld } = await through(chunks, [long]);
  assert.is(out.toString(), 'before *** after');
  assert.ok(maxHeld <= long.length - 1, `held back ${maxHeld}`);
});

test('held-back bytes wait for the next write only while they may start a secret', async () => {
  const masker = new SecretMasker(['hunter22']);
  masker.write('hello world\n');
  assert.is(masker.heldBackBytes, 0, 'ordinary output is not held');
  assert.is(String(masker.read()), 'hello world\n');
  masker.write('key=hunt');
  assert.is(masker.heldBackBytes, 4);
  assert.is(String(masker.read()), 'key=');
  masker.write('er22!');
  assert.is(String(masker.read()), '***!');
  masker.write('bye hun');
  assert.is(String(masker.read()), 'bye ');
  masker.end();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(String(masker.read()), 'hun', 'flushed at the end');
});

test('a secret overlapping a mask already pushed joins it across writes', async () => {
  const secrets = ['abcd', 'cdefghij'];
  for (const chunks of [['xabcd', 'efghijx'], ['xabc', 'defghijx'], ['xab', 'cd', 'ef', 'ghijx']]) {
    assert.is((await through(chunks, secrets)).out.toString(), 'x***x', chunks.join('|'));
  }
  assert.is((await through(['xabcd', 'efgX'], secrets)).out.toString(), 'x***efgX');
});

test('multi-byte UTF-8 split inside a character comes out byte-exact', async () => {
  const text = 'ü✓😀 pässwörd€ 😀✓ü 𝄞';
  const data = Buffer.from(text, 'utf8');
  const expected = Buffer.from('ü✓😀 *** 😀✓ü 𝄞', 'utf8');
  for (let i = 0; i <= data.length; i++) {
    for (const j of [i + 1, i + 2, i + 3]) {
      const { out } = await through([data.subarray(0, i), data.subarray(i, j), data.subarray(j)], ['pässwörd€']);
      assert.equal(out, expected, `splits at ${i} and ${j}`);
    }
  }
  assert.not.match(expected.toString('utf8'), '\uFFFD');
});

test('binary data passes untouched; only secret bytes inside it are replaced', async () => {
  const data = randomBytes(1 << 20, 42);
  const chunks: Buffer[] = [];
  for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 3) % 9001) chunks.push(data.subarray(i, i + n));
  const clean = await through(chunks, ['no-such-secret-in-here']);
  assert.equal(clean.out, data);

  const secret = 'bin-secret-✓';
  const withSecrets = Buffer.concat([data.subarray(0, 1000), Buffer.from(secret), data.subarray(1000, 70_000), Buffer.from(secret), Buffer.from(secret), data.subarray(70_000)]);
  const pieces: Buffer[] = [];
  for (let i = 0; i < withSecrets.length; i += 4096) pieces.push(withSecrets.subarray(i, i + 4096));
  const masked = await through(pieces, [secret]);
  const expected = Buffer.concat([data.subarray(0, 1000), Buffer.from('***'), data.subarray(1000, 70_000), Buffer.from('******'), data.subarray(70_000)]);
  assert.equal(masked.out, expected);
});

test('random texts, secrets and chunkings agree with the brute-force specification', async () => {
  const next = random(7);
  const pick = (n: number): number => Math.floor(next() * n);
  const word = (min: number, max: number): string => {
    let s = '';
    for (let n = min + pick(max - min + 1); n > 0; n--) s += 'abé'[pick(3)];
    return s;
  };
  for (let round = 0; round < 1500; round++) {
    const secrets = Array.from({ length: 1 + pick(4) }, () => word(1, 6));
    const data = Buffer.from(word(0, 60), 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; ) {
      const n = 1 + pick(9);
      chunks.push(data.subarray(i, i + n));
      i += n;
    }
    const expected = reference(data, secrets);
    const { out, maxHeld } = await through(chunks, secrets);
    const longest = Math.max(...secrets.map((s) => Buffer.byteLength(s)));
    const context = `round ${round}: ${JSON.stringify(data.toString())} secrets ${JSON.stringify(secrets)}`;
    assert.equal(out, expected, context);
    assert.is(maskAll(data.toString('utf8'), secrets), expected.toString('utf8'), context);
    assert.ok(maxHeld <= longest - 1, `${context}: held ${maxHeld}`);
  }
});

test('64 MiB through the masker: secrets across every chunk boundary, memory held back stays bounded', async () => {
  const secret = 'TOPSECRET-0123456789';
  const chunkSize = 64 * 1024;
  const count = 1024;
  let produced = 0;
  let maxHeld = 0;
  const masker = new SecretMasker([secret, 'TOPSECRET']);
  // Each chunk is '.' and '\n' only, except the secret straddling its end and the next start.
  const source = new Readable({
    read() {
      if (produced === count) return void this.push(null);
      const chunk = Buffer.alloc(chunkSize, '.');
      chunk[100] = 0x0a;
      const cutAt = (k: number): number => 1 + (k % (secret.length - 1));
      if (produced > 0) Buffer.from(secret).copy(chunk, 0, cutAt(produced - 1));
      if (produced < count - 1) Buffer.from(secret).copy(chunk, chunkSize - cutAt(produced), 0, cutAt(produced));
      produced++;
      this.push(chunk);
    },
  });
  let outBytes = 0;
  let masks = 0;
  let leaked = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      maxHeld = Math.max(maxHeld, masker.heldBackBytes);
      outBytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === 0x2a) masks++;
        else if (b !== 0x2e && b !== 0x0a) leaked++;
      }
      callback();
    },
  });
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = Date.now();
  await pipeline(source, masker, sink);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const mib = (n: number): string => (n / 1048576).toFixed(1);
  console.log(`  64 MiB masked in ${Date.now() - started} ms: max held back ${maxHeld} bytes, rss peak +${mib(peak - before)} MiB`);
  assert.is(leaked, 0, 'no byte of the secret reached the output');
  assert.is(masks, (count - 1) * 3, 'one *** per occurrence');
  assert.is(outBytes, count * chunkSize - (count - 1) * (secret.length - 3));
  assert.ok(maxHeld <= secret.length - 1, `held back ${maxHeld} bytes`);
  assert.ok(peak - before < 64 * 1048576, `rss grew by ${mib(peak - before)} MiB`);
});

test('with no secrets the stream is a pass-through', async () => {
  const data = randomBytes(100_000, 3);
  const { out, maxHeld } = await through([data.subarray(0, 5), data.subarray(5)], ['']);
  assert.equal(out, data);
  assert.is(maxHeld, 0);
});

test.run();
