import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretMasker } from '../../src/engine/masking.ts';

function maskerWith(...secrets: string[]): SecretMasker {
  const masker = new SecretMasker();
  for (const secret of secrets) masker.add(secret);
  return masker;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('plain secrets', () => {
  it('replaces a secret with ***', () => {
    assert.equal(maskerWith('hunter2-secret').mask('token=hunter2-secret;'), 'token=***;');
  });

  it('leaves text without secrets alone, and everything alone without secrets', () => {
    assert.equal(maskerWith('hunter2-secret').mask('nothing here, hunter2'), 'nothing here, hunter2');
    assert.equal(new SecretMasker().mask('hunter2-secret'), 'hunter2-secret');
    assert.equal(maskerWith('x1').mask(''), '');
  });

  it('matches case-sensitively', () => {
    assert.equal(maskerWith('Password123!').mask('password123! Password123!'), 'password123! ***');
  });

  it('masks a secret that appears many times', () => {
    const masker = maskerWith('s3cr3t');
    const text = Array.from({ length: 1000 }, (_, i) => `${i}:s3cr3t`).join(' ');
    const masked = masker.mask(text);
    assert.equal(masked.split('***').length - 1, 1000);
    assert.ok(!masked.includes('s3cr3t'));
  });

  it('masks inside multi-line text', () => {
    const masker = maskerWith('topsecret');
    assert.equal(masker.mask('line 1 topsecret\n{"key": "topsecret"}\nline 3'), 'line 1 ***\n{"key": "***"}\nline 3');
  });

  it('matches UTF-16 units, not whole graphemes', () => {
    const masker = maskerWith('token');
    assert.equal(masker.mask('token\u0301 a👍token🏽'), '***\u0301 a👍***🏽');
  });

  it('masks short secrets too (the runner has no minimum length)', () => {
    assert.equal(maskerWith('ab').mask('cabd'), 'c***d');
  });
});

describe('registration', () => {
  it('ignores empty and whitespace-only values', () => {
    const masker = maskerWith('', '   ', '\n\t\r\n');
    assert.equal(masker.size, 0);
    assert.equal(masker.mask(' \t\n'), ' \t\n');
  });

  it('registers a padded value trimmed as well', () => {
    assert.equal(maskerWith('  padded-secret \n').mask('x padded-secret y'), 'x *** y');
  });

  it('registers each line of a multi-line secret', () => {
    const key = '-----BEGIN KEY-----\nabcdefghij\r\n  klmnopqrst  \n-----END KEY-----\n';
    const masker = maskerWith(key);
    assert.equal(masker.mask('leaked abcdefghij here'), 'leaked *** here');
    assert.equal(masker.mask('klmnopqrst'), '***');
    assert.equal(masker.mask(`whole:${key}`), 'whole:***');
  });

  it('counts distinct masked strings and does not grow on a repeat', () => {
    const masker = maskerWith('abcdefgh');
    const size = masker.size;
    assert.ok(size > 1, 'the encoded forms count too');
    masker.add('abcdefgh');
    assert.equal(masker.size, size);
  });

  it('sees secrets added after the last mask', () => {
    const masker = maskerWith('first-secret');
    assert.equal(masker.mask('first-secret second-secret'), '*** second-secret');
    masker.add('second-secret');
    assert.equal(masker.mask('first-secret second-secret'), '*** ***');
  });
});

describe('encoded forms', () => {
  it('masks base64 at every byte alignment, as the runner tests it', () => {
    const masker = maskerWith('Password123!');
    const cases = [
      [':Password123!', 'OlBh***'],
      ['a:Password123!', 'YTpQ***'],
      ['ab:Password123!', 'YWI6***'],
      ['abc:Password123!', 'YWJjOlBh***'],
      ['abcd:Password123!', 'YWJjZDpQ***'],
      ['abcde:Password123!', 'YWJjZGU6***'],
    ];
    for (const [plain, expected] of cases) assert.equal(masker.mask(base64(plain ?? '')), expected, plain);
    assert.equal(masker.mask(`auth: ${base64('Password123!')}`), 'auth: ***');
  });

  it('base64-encodes the UTF-8 bytes', () => {
    assert.equal(maskerWith('pässwörd✓').mask(base64('pässwörd✓')), '***');
  });

  it('masks the URL-encoded form', () => {
    const masker = maskerWith('Pass word 123!', "a/b?c=d&e'f(g)*~_.-");
    assert.equal(masker.mask('123Pass%20word%20123%21123'), '123***123');
    assert.equal(masker.mask('q=a%2Fb%3Fc%3Dd%26e%27f%28g%29%2A~_.-'), 'q=***');
  });

  it('masks the JSON-escaped form', () => {
    const secret = 'carriage-return\r_newline\n_tab\t_backslash\\_double-quote"_bell\u0007';
    const masker = maskerWith(secret);
    assert.equal(masker.mask(JSON.stringify({ secret })), '{"secret":"***"}');
    assert.equal(masker.mask('carriage-return\\r_newline\\n_tab\\t_backslash\\\\_double-quote\\"_bell\\u0007'), '***');
  });

  it('masks the XML-escaped form', () => {
    assert.equal(maskerWith('Pass<word>123!').mask('123Pass&lt;word&gt;123!123'), '123***123');
    assert.equal(maskerWith(`a&b"c'd`).mask('a&amp;b&quot;c&apos;d'), '***');
  });

  it('masks the expression-escaped and command-line-escaped forms', () => {
    assert.equal(maskerWith("Pass'word'123!").mask("123Pass''word''123!123"), '123***123');
    assert.equal(maskerWith('Pass"word"123!').mask('123Pass\\"word\\"123!123'), '123***123');
  });

  it('masks a long quoted secret without its quotes, but not a short one', () => {
    assert.equal(maskerWith('"Password123!!"').mask('123Password123!!123'), '123***123');
    const short = maskerWith('"short"');
    assert.equal(short.mask('123short123'), '123short123');
    assert.equal(short.mask('123"short"123'), '123***123');
  });

  it('masks the pieces PowerShell prints around colour codes', () => {
    const cases = [
      ['secret&secret&secret', 'secret&secret&\x1b[96msecret\x1b[0m', '***\x1b[96m***\x1b[0m'],
      ['secret&+secret&secret', 'secret&+\x1b[96ms\x1b[0mecret&secret', '***\x1b[96ms\x1b[0m***'],
      ['secret&secret&+', 'secret&secret&+\x1b[96m\x1b[0m', '***\x1b[96m\x1b[0m'],
    ];
    for (const [secret, output, expected] of cases) assert.equal(maskerWith(secret ?? '').mask(output ?? ''), expected);
  });
});

describe('overlapping secrets', () => {
  it('masks the union of overlapping matches', () => {
    assert.equal(maskerWith('abcdef', 'defghi').mask('xxabcdefghixx'), 'xx***xx');
  });

  it('masks the whole of a secret that contains another', () => {
    assert.equal(maskerWith('cret', 'supersecret').mask('a supersecret b cret'), 'a *** b ***');
  });

  it('merges secrets that touch into one ***', () => {
    assert.equal(maskerWith('abcx', 'defy').mask('abcxdefy'), '***');
  });

  it('merges overlapping occurrences of one secret', () => {
    assert.equal(maskerWith('aaa1aaa').mask('aaa1aaa1aaa!'), '***!');
  });
});

describe('many secrets', () => {
  it('masks each of 1,000 secrets registered at once', () => {
    const secrets = Array.from({ length: 1000 }, (_, i) => `secret-${i.toString(36)}-${(i * 7919).toString(16)}`);
    const masker = maskerWith(...secrets);
    assert.ok(masker.size >= 1000);
    const text = secrets.map((secret, i) => `line ${i}: ${secret} ok`).join('\n');
    const expected = secrets.map((_, i) => `line ${i}: *** ok`).join('\n');
    assert.equal(masker.mask(text), expected);
    assert.equal(masker.mask(`encoded ${base64(secrets[999] ?? '')}`), 'encoded ***');
    assert.equal(masker.mask('secret- not one of them'), 'secret- not one of them');
  });
});

// The prefilter (a rolling hash of three code units, with tables of their own
// for patterns of one and two) must never let a pattern through unmasked.
describe('prefilter edge cases', () => {
  it('masks a one-code-unit secret anywhere, including the first and last position', () => {
    const masker = maskerWith('q');
    assert.equal(masker.mask('q'), '***');
    assert.equal(masker.mask('qa'), '***a');
    assert.equal(masker.mask('aq'), 'a***');
    assert.equal(masker.mask('abcq'), 'abc***');
    assert.equal(masker.mask('abc\nq\nqq'), 'abc\n***\n***');
    assert.equal(masker.mask('abc'), 'abc');
  });

  it('masks a two-code-unit secret anywhere, including at the very end', () => {
    const masker = maskerWith('zq');
    assert.equal(masker.mask('zq'), '***');
    assert.equal(masker.mask('azq'), 'a***');
    assert.equal(masker.mask('abcdzq'), 'abcd***');
    assert.equal(masker.mask('qz zz qq z'), 'qz zz qq z');
    assert.equal(masker.mask('zqzq'), '***');
  });

  it('masks short and long secrets registered together', () => {
    const masker = maskerWith('k', 'mn', 'longer-secret');
    assert.equal(masker.mask('a k b mn c longer-secret d'), 'a *** b *** c *** d');
    assert.equal(masker.mask('longer-secretk'), '***');
    assert.equal(masker.mask('xmn'), 'x***');
    assert.equal(masker.mask('abc def'), 'abc def');
  });

  it('masks a secret at the very end of a line and of the text', () => {
    const masker = maskerWith('abc');
    assert.equal(masker.mask('abc'), '***');
    assert.equal(masker.mask('xxabc'), 'xx***');
    assert.equal(masker.mask('one abc\ntwo abc'), 'one ***\ntwo ***');
    assert.equal(masker.mask('ab'), 'ab');
    assert.equal(masker.mask('xxab'), 'xxab');
  });

  it('masks secrets sharing a prefix, whichever occurs', () => {
    const masker = maskerWith('secret-one', 'secret-two', 'sec', 'secret-two-and-more');
    assert.equal(masker.mask('a secret-one b'), 'a *** b');
    assert.equal(masker.mask('a secret-two b'), 'a *** b');
    assert.equal(masker.mask('a secret-two-and-more b'), 'a *** b');
    assert.equal(masker.mask('a secret-three b'), 'a ***ret-three b');
    assert.equal(masker.mask('se secre secr'), 'se ***re ***r');
    assert.equal(masker.mask('secret-onesecret-two'), '***');
  });

  it('masks occurrences far apart in one text, and nothing between them', () => {
    const masker = maskerWith('abcd');
    const gap = 'x'.repeat(200);
    assert.equal(masker.mask(`abcd${gap}abcd${gap}ab\ncd abcd`), `***${gap}***${gap}ab\ncd ***`);
  });

  it('sees short secrets added after the first mask call', () => {
    const masker = maskerWith('first-secret');
    assert.equal(masker.mask('first-secret y zw'), '*** y zw');
    masker.add('y');
    assert.equal(masker.mask('first-secret y zw'), '*** *** zw');
    masker.add('zw');
    assert.equal(masker.mask('first-secret y zw'), '*** *** ***');
    masker.add('late-long-secret');
    assert.equal(masker.mask('a late-long-secret'), 'a ***');
  });

  it('masks non-ASCII secrets, whose code units the hash folds together', () => {
    const masker = maskerWith('пароль', 'ключ');
    assert.equal(masker.mask('пароль: ключ, ключи, парол'), '***: ***, ***и, парол');
    assert.equal(masker.mask('ключ'), '***');
    assert.equal(masker.mask('клю ч'), 'клю ч');
  });

  it('leaves alone text whose code units hash like a secret but differ', () => {
    // 'acã' hashes like 'abc' ('b' ^ 1 = 'c', 'c' ^ 0x80 = 'ã'): the prefilter
    // lets it through, the matcher must still find nothing there.
    const masker = maskerWith('abc');
    assert.equal(masker.mask('acã'), 'acã');
    assert.equal(masker.mask('acãabc'), 'acã***');
  });

  it('matches surrogate pairs and lone surrogates by UTF-16 code units', () => {
    const masker = maskerWith('🔑key');
    assert.equal(masker.mask('a 🔑key b'), 'a *** b');
    assert.equal(masker.mask('🔑ke 🔑key'), '🔑ke ***');
    assert.equal(masker.mask('\uDD11key'), '\uDD11key');
    const half = maskerWith('\uD83D');
    assert.equal(half.mask('a👍b'), 'a***\uDC4Db');
    assert.equal(half.mask('a\uD83D'), 'a***');
    const pair = maskerWith('👍');
    assert.equal(pair.mask('x👍'), 'x***');
    assert.equal(pair.mask('👎'), '👎');
  });
});

// Every occurrence of every secret, found by brute force: the reference the
// prefilters must agree with. Texts and secrets use only a, b and c, so no
// encoded form the masker adds (each base64 form holds a Y) can occur in them.
function bruteForceMask(text: string, secrets: readonly string[]): string {
  const covered = new Array<boolean>(text.length).fill(false);
  for (const secret of secrets) {
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) covered.fill(true, at, at + secret.length);
  }
  let masked = '';
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) masked += text[i];
    else if (i === 0 || !covered[i - 1]) masked += '***';
  }
  return masked;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('prefilters against brute force', () => {
  const random = seededRandom(8);
  const word = (length: number) => Array.from({ length }, () => 'abc'[Math.floor(random() * 3)]).join('');

  for (const [label, minLength, maxLength] of [
    ['skipping (every secret five code units or longer)', 5, 14],
    ['testing every position (some secrets shorter than five)', 3, 9],
    ['skipping with long secrets', 12, 40],
  ] as const) {
    it(`finds exactly what brute force finds, ${label}`, () => {
      for (let round = 0; round < 400; round++) {
        const secrets = Array.from({ length: 1 + Math.floor(random() * 12) }, () => word(minLength + Math.floor(random() * (maxLength - minLength + 1))));
        const masker = maskerWith(...secrets);
        // Texts holding the secrets (at the start, the end, overlapping) and noise around them.
        const pieces = Array.from({ length: 1 + Math.floor(random() * 8) }, () => (random() < 0.5 ? secrets[Math.floor(random() * secrets.length)]! : word(Math.floor(random() * 30))));
        const text = pieces.join('');
        assert.equal(masker.mask(text), bruteForceMask(text, secrets), `secrets ${JSON.stringify(secrets)}, text ${JSON.stringify(text)}`);
      }
    });
  }
});
