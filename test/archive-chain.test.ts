import assert from 'node:assert/strict';
import { type ChainRecord, ChainVerifier, chainHash, GENESIS, type Verdict } from '../archive/chain.js';
import { toArchiveUrls } from '../archive/replay-urls.js';

/** Records as a room would archive them: the body is the relayed text, its columns copied from it. */
function chain(sessionId: string, count: number, textOf = (seq: number) => `line ${seq}`): ChainRecord[] {
  const out: ChainRecord[] = [];
  let previous = GENESIS;
  for (let seq = 1; seq <= count; seq++) {
    const at = 1_700_000_000_000 + seq;
    const body = JSON.stringify({ type: 'chat', seq, at, from: 'p1', text: textOf(seq) });
    const hash = chainHash(previous, sessionId, body);
    out.push({ seq, at, actor: 'p1', type: 'chat', body, hash });
    previous = hash;
  }
  return out;
}

function verify(sessionId: string, records: readonly ChainRecord[], finalHash: string | null): Verdict {
  const v = new ChainVerifier(sessionId);
  v.feed(records);
  return v.finish(finalHash);
}

function brokenAt(verdict: Verdict): number {
  assert.equal(verdict.intact, false, `expected a broken chain, got ${JSON.stringify(verdict)}`);
  return verdict.intact ? -1 : verdict.brokenAt;
}

describe('archive chain: ChainVerifier', () => {
  const records = chain('s1', 6);
  const last = records.at(-1) as ChainRecord;

  it('finds an intact chain intact, with its record count and last hash, however it is paged', () => {
    const whole = verify('s1', records, last.hash);
    assert.deepEqual(whole, { intact: true, records: 6, lastHash: last.hash });
    const paged = new ChainVerifier('s1');
    paged.feed(records.slice(0, 2));
    paged.feed([]);
    paged.feed(records.slice(2, 5));
    paged.feed(records.slice(5));
    assert.deepEqual(paged.finish(last.hash), whole);
    assert.deepEqual(verify('s1', records, null), whole, 'a live session has no final hash yet');
  });

  it('takes an empty session as intact only when its final hash is the genesis hash', () => {
    assert.deepEqual(verify('s1', [], GENESIS), { intact: true, records: 0, lastHash: GENESIS });
    assert.deepEqual(verify('s1', [], null), { intact: true, records: 0, lastHash: GENESIS });
    assert.equal(brokenAt(verify('s1', [], last.hash)), 1);
  });

  it('detects a modified body at that record', () => {
    const tampered = records.map((r) =>
      r.seq === 3 ? { ...r, body: r.body.replace('line 3', 'line 3, amended') } : r,
    );
    const verdict = verify('s1', tampered, last.hash);
    assert.equal(brokenAt(verdict), 3);
    assert.equal(verdict.records, 3);
    assert.match(verdict.intact ? '' : verdict.reason, /hash/);
  });

  it('detects a body whose seq, time, type or author no longer matches its columns', () => {
    const edits: Array<(body: Record<string, unknown>) => void> = [
      (b) => {
        b.seq = 40;
      },
      (b) => {
        b.at = 1;
      },
      (b) => {
        b.type = 'nav';
      },
      (b) => {
        b.from = 'p2';
      },
    ];
    for (const edit of edits) {
      const tampered = records.map((r) => {
        if (r.seq !== 4) return r;
        const body = JSON.parse(r.body) as Record<string, unknown>;
        edit(body);
        return { ...r, body: JSON.stringify(body) };
      });
      assert.equal(brokenAt(verify('s1', tampered, last.hash)), 4);
    }
    const notJson = records.map((r) => (r.seq === 2 ? { ...r, body: `${r.body}}` } : r));
    assert.equal(brokenAt(verify('s1', notJson, last.hash)), 2);
  });

  it('detects a modified hash at that record', () => {
    const tampered = records.map((r) => (r.seq === 5 ? { ...r, hash: chainHash(GENESIS, 's1', r.body) } : r));
    assert.equal(brokenAt(verify('s1', tampered, last.hash)), 5);
  });

  it('detects a removed record at the record after it', () => {
    assert.equal(
      brokenAt(
        verify(
          's1',
          records.filter((r) => r.seq !== 3),
          last.hash,
        ),
      ),
      4,
    );
    assert.equal(brokenAt(verify('s1', records.slice(1), last.hash)), 2, 'the first record removed');
  });

  it('detects reordered records at the first one out of place, and a repeated one', () => {
    const pick = (...seqs: number[]) => seqs.map((seq) => records[seq - 1] as ChainRecord);
    assert.equal(brokenAt(verify('s1', pick(1, 2, 4, 3, 5, 6), last.hash)), 4);
    const repeated = pick(1, 2, 2, 3, 4, 5, 6);
    const verdict = verify('s1', repeated, last.hash);
    assert.equal(brokenAt(verdict), 2);
    assert.equal(verdict.records, 3);
  });

  it('detects a record moved in from another session, and a whole chain presented as another session', () => {
    const other = chain('s2', 6);
    const moved = records.map((r, i) => (r.seq === 3 ? (other[i] as ChainRecord) : r));
    assert.equal(brokenAt(verify('s1', moved, last.hash)), 3);
    // Same bodies, so only the session id in the hash tells them apart.
    const sameText = chain('s2', 6);
    assert.equal(brokenAt(verify('s1', sameText, (sameText.at(-1) as ChainRecord).hash)), 1);
    assert.deepEqual(verify('s2', sameText, (sameText.at(-1) as ChainRecord).hash).intact, true);
  });

  it('detects a truncated tail against the final hash, at the first missing seq', () => {
    const verdict = verify('s1', records.slice(0, 3), last.hash);
    assert.equal(brokenAt(verdict), 4);
    assert.equal(verdict.records, 3);
    assert.match(verdict.intact ? '' : verdict.reason, /missing/);
    // A session still live (no final hash) cannot show a truncated tail: what is there is intact.
    assert.equal(verify('s1', records.slice(0, 3), null).intact, true);
  });

  it('stops at the first break and reports it even when later pages are fed', () => {
    const v = new ChainVerifier('s1');
    const tampered = records.map((r) => (r.seq === 2 ? { ...r, hash: GENESIS } : r));
    v.feed(tampered.slice(0, 3));
    assert.equal(v.done, true);
    v.feed(tampered.slice(3));
    assert.equal(brokenAt(v.finish(last.hash)), 2);
  });
});

describe('archive replay URLs: toArchiveUrls', () => {
  const a = 'mfrggzdfmztwq2lknnwg23tpoa';
  const b = 'nbswy3dpeb3w64tmmqqq2345ab';
  const unknown = 'ozxwy3dsmvxgk4tsm5uw4zzaaa';
  const base = 'http://localhost:8080/api/archive/sessions/S1/assets';
  const rewrite = toArchiveUrls([a, b], base);

  it('points content-host URLs of known labels at the archive, with or without port and scheme', () => {
    const cases: Array<[string, string]> = [
      [`http://${a}.content.localhost:8080/style.css`, `${base}/${a}/style.css`],
      [`https://${a}.content.example.com/img/logo.svg?v=2#x`, `${base}/${a}/img/logo.svg?v=2#x`],
      [`http://${b}.content.localhost/`, `${base}/${b}/`],
      [`//${a}.content.localhost:8080/app.js`, `${base}/${a}/app.js`],
      [`HTTPS://${a.toUpperCase()}.CONTENT.LOCALHOST:8443/x`, `${base}/${a}/x`],
      [`http://${a}.content.localhost:8080`, `${base}/${a}`],
    ];
    for (const [input, expected] of cases) assert.equal(rewrite(input), expected, input);
  });

  it('rewrites inside CSS url() in every quoting', () => {
    const css = [
      `body{background:url(http://${a}.content.localhost:8080/img/bg.png)}`,
      `.x{background:url("//${a}.content.localhost:8080/img/x.svg")}`,
      `.y{background:url('https://${b}.content.localhost/y.png')}`,
      `@font-face{src:url(http://${a}.content.localhost:8080)}`,
    ].join('\n');
    assert.equal(
      rewrite(css),
      [
        `body{background:url(${base}/${a}/img/bg.png)}`,
        `.x{background:url("${base}/${a}/img/x.svg")}`,
        `.y{background:url('${base}/${b}/y.png')}`,
        `@font-face{src:url(${base}/${a})}`,
      ].join('\n'),
    );
  });

  it('rewrites inside JSON strings, escaped JSON inside JSON included, and keeps the JSON valid', () => {
    const inner = JSON.stringify({ href: `http://${a}.content.localhost:8080` });
    const event = JSON.stringify({
      type: 'rec',
      seq: 7,
      events: [
        { src: `http://${a}.content.localhost:8080/img/logo.svg`, srcset: `//${b}.content.localhost 2x` },
        { style: `background:url("http://${a}.content.localhost:8080/p.svg")`, inner },
      ],
    });
    const out = rewrite(event);
    const parsed = JSON.parse(out) as {
      events: [{ src: string; srcset: string }, { style: string; inner: string }];
    };
    assert.equal(parsed.events[0].src, `${base}/${a}/img/logo.svg`);
    assert.equal(parsed.events[0].srcset, `${base}/${b} 2x`);
    assert.equal(parsed.events[1].style, `background:url("${base}/${a}/p.svg")`);
    assert.deepEqual(JSON.parse(parsed.events[1].inner), { href: `${base}/${a}` });
  });

  it('leaves unknown labels, other hosts and look-alikes untouched', () => {
    const untouched = [
      `http://${unknown}.content.localhost:8080/style.css`,
      `https://example.com/${a}.content.localhost/x`,
      `https://www.${a}.content.localhost/x`,
      `http://${a}x.content.localhost/x`,
      `http://${a.slice(0, -1)}.content.localhost/x`,
      `see ${a}.content.localhost/x without a scheme`,
      'https://shop.example/checkout',
    ];
    for (const text of untouched) assert.equal(rewrite(text), text, text);
  });

  it('does nothing without labels, and ignores labels that are not content-host labels', () => {
    const text = `http://${a}.content.localhost/x`;
    assert.equal(toArchiveUrls([], base)(text), text);
    // A label with pattern characters must not widen what is matched.
    const odd = toArchiveUrls(['.*', `${a}|x`], base);
    assert.equal(odd(text), text);
    assert.equal(odd('http://evil.example/x'), 'http://evil.example/x');
  });
});
