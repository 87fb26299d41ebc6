/**
 * CPace against the published test vectors of draft-irtf-cfrg-cpace (section "Test vector for
 * CPace using group ristretto255 and hash SHA-512", and the string-utility vectors), copied
 * from the draft's text.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  calculateGenerator,
  confirmationTag,
  cpaceStart,
  CPaceError,
  deriveIsk,
  DSI,
  generatorString,
  IDENTITY,
  lvCat,
  prependLen,
  scalarMult,
  scalarMultVfy,
  tagsEqual,
  transcriptIr,
} from './cpace.ts';

const hex = (s: string) => hexToBytes(s.replace(/\s+/g, ''));

const V = {
  PRS: utf8ToBytes('Password'),
  CI: hex('0b415f696e69746961746f720b425f726573706f6e646572'),
  sid: hex('7e4b4791d6a8ef019b936c79fb7f2c57'),
  generatorString: `11435061636552697374726574746f3235350850617373776f726464
      00000000000000000000000000000000000000000000000000000000
      00000000000000000000000000000000000000000000000000000000
      00000000000000000000000000000000000000000000000000000000
      00000000000000000000000000000000180b415f696e69746961746f
      720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f
      2c57`,
  g: `222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5
      698c7e56`,
  ADa: utf8ToBytes('ADa'),
  ya: `da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4f
      f0976d08`,
  Ya: `d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec
      482b9157`,
  ADb: utf8ToBytes('ADb'),
  yb: `d2316b454718c35362d83d69df6320f38578ed5984651435e2949762
      d900b80d`,
  Yb: `3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7
      433f7258`,
  K: `80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc98
      87c8b40f`,
  transcriptIr: `20d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0e
      ec482b915703414461203ea7e0b19560d7c0b0f5734f63b955286dfa
      8232b5ebe63324e2d9e7433f725803414462`,
  ISK_IR: `b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dc
      ae7b35cd2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c
      3fa2068af7900447`,
};

const inputs = { prs: V.PRS, ci: V.CI, sid: V.sid };
const norm = (s: string) => s.replace(/\s+/g, '');

describe('CPace string utilities (draft vectors)', () => {
  it('prepend_len', () => {
    expect(bytesToHex(prependLen(new Uint8Array()))).toBe('00');
    expect(bytesToHex(prependLen(utf8ToBytes('1234')))).toBe('0431323334');
    const r127 = Uint8Array.from({ length: 127 }, (_, i) => i);
    expect(bytesToHex(prependLen(r127)).slice(0, 6)).toBe('7f0001');
    const r128 = Uint8Array.from({ length: 128 }, (_, i) => i);
    expect(bytesToHex(prependLen(r128)).slice(0, 8)).toBe('80010001');
    expect(prependLen(r128).length).toBe(130);
  });

  it('lv_cat', () => {
    const out = lvCat(utf8ToBytes('1234'), utf8ToBytes('5'), new Uint8Array(), utf8ToBytes('678'));
    expect(bytesToHex(out)).toBe('043132333401350003363738');
  });

  it('transcript_ir', () => {
    const t1 = transcriptIr(utf8ToBytes('123'), utf8ToBytes('PartyA'), utf8ToBytes('234'), utf8ToBytes('PartyB'));
    expect(bytesToHex(t1)).toBe('03313233065061727479410332333406506172747942');
    const t2 = transcriptIr(utf8ToBytes('3456'), utf8ToBytes('PartyA'), utf8ToBytes('2345'), utf8ToBytes('PartyB'));
    expect(bytesToHex(t2)).toBe('043334353606506172747941043233343506506172747942');
  });
});

describe('CPACE-RISTR255-SHA512 (draft vectors)', () => {
  it('generator_string has 100 bytes of zero padding and matches', () => {
    const s = generatorString(DSI, V.PRS, V.CI, V.sid, 128);
    expect(s.length).toBe(170);
    expect(bytesToHex(s)).toBe(norm(V.generatorString));
  });

  it('calculate_generator', () => {
    expect(bytesToHex(calculateGenerator(inputs).toBytes())).toBe(norm(V.g));
  });

  it('messages Ya and Yb', () => {
    const g = calculateGenerator(inputs);
    expect(bytesToHex(scalarMult(hex(V.ya), g))).toBe(norm(V.Ya));
    expect(bytesToHex(scalarMult(hex(V.yb), g))).toBe(norm(V.Yb));
    // cpaceStart keeps a scalar that is already below 2^252 as is.
    expect(bytesToHex(cpaceStart(inputs, hex(V.ya)).Y)).toBe(norm(V.Ya));
  });

  it('secret point K from both sides', () => {
    expect(bytesToHex(scalarMultVfy(hex(V.ya), hex(V.Yb)))).toBe(norm(V.K));
    expect(bytesToHex(scalarMultVfy(hex(V.yb), hex(V.Ya)))).toBe(norm(V.K));
  });

  it('transcript and ISK in the initiator-responder setting, equal on both sides', () => {
    const a = { Y: hex(V.Ya), AD: V.ADa };
    const b = { Y: hex(V.Yb), AD: V.ADb };
    expect(bytesToHex(transcriptIr(a.Y, a.AD, b.Y, b.AD))).toBe(norm(V.transcriptIr));
    expect(bytesToHex(deriveIsk(inputs, hex(V.ya), a, b, 'initiator'))).toBe(norm(V.ISK_IR));
    expect(bytesToHex(deriveIsk(inputs, hex(V.yb), a, b, 'responder'))).toBe(norm(V.ISK_IR));
  });

  it('scalar_mult with valid inputs', () => {
    const s = hex('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05');
    const x = hex('2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c');
    expect(bytesToHex(scalarMultVfy(s, x))).toBe('7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e');
  });

  it('scalar_mult_vfy returns G.I for a non-decodable point and for the identity; the protocol aborts', () => {
    const s = hex('7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05');
    const bad = hex('2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c');
    expect(scalarMultVfy(s, bad)).toEqual(IDENTITY);
    expect(scalarMultVfy(s, IDENTITY)).toEqual(IDENTITY);
    const a = { Y: hex(V.Ya), AD: V.ADa };
    expect(() => deriveIsk(inputs, s, a, { Y: bad, AD: V.ADb }, 'initiator')).toThrow(CPaceError);
    expect(() => deriveIsk(inputs, s, a, { Y: IDENTITY, AD: V.ADb }, 'initiator')).toThrow(CPaceError);
  });
});

describe('CPace runs', () => {
  it('agrees on a key with the same password and not with a different one; tags tell them apart', () => {
    const sid = crypto.getRandomValues(new Uint8Array(16));
    const ci = utf8ToBytes('test-ci');
    const A = { prs: utf8ToBytes('amber-lagoon'), ci, sid };
    const a = cpaceStart(A);
    const msgA = { Y: a.Y, AD: utf8ToBytes('inviter') };
    for (const [password, same] of [['amber-lagoon', true], ['amber-lemon', false]] as const) {
      const B = { prs: utf8ToBytes(password), ci, sid };
      const b = cpaceStart(B);
      const msgB = { Y: b.Y, AD: utf8ToBytes('joiner') };
      const iskA = deriveIsk(A, a.scalar, msgA, msgB, 'initiator');
      const iskB = deriveIsk(B, b.scalar, msgA, msgB, 'responder');
      expect(tagsEqual(iskA, iskB)).toBe(same);
      expect(tagsEqual(confirmationTag(iskA, sid, msgB), confirmationTag(iskB, sid, msgB))).toBe(same);
    }
  });
});
