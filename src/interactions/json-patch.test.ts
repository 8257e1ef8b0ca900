import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { FhirError } from '../core/errors';
import { applyJsonPatch } from './json-patch';
import { sharedDataPath } from '../testing/shared-data';

/** Runs `fn`, expecting a FhirError with the given status and issue code; returns it. */
function expectFhirError(fn: () => unknown, status: number, code: string, diagnostics?: string | RegExp): FhirError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a FhirError to be thrown').to.be.instanceOf(FhirError);
  const err = caught as FhirError;
  expect(err.status).to.equal(status);
  expect(err.code).to.equal(code);
  expect(err.issues).to.have.length(1);
  expect(err.issues[0]?.expression).to.equal(undefined);
  if (typeof diagnostics === 'string') expect(err.issues[0]?.diagnostics).to.equal(diagnostics);
  else if (diagnostics) expect(err.issues[0]?.diagnostics).to.match(diagnostics);
  return err;
}

const invalid = (fn: () => unknown, diagnostics?: string | RegExp) => expectFhirError(fn, 400, 'invalid', diagnostics);
const unprocessable = (fn: () => unknown, diagnostics?: string | RegExp) =>
  expectFhirError(fn, 422, 'processing', diagnostics);

describe('applyJsonPatch', () => {
  describe('add', () => {
    it('adds an object member', () => {
      expect(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/b', value: 2 }])).to.deep.equal({ a: 1, b: 2 });
    });

    it('replaces an existing object member', () => {
      expect(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/a', value: [1] }])).to.deep.equal({ a: [1] });
    });

    it('inserts into an array at an index, at the length, and at "-"', () => {
      const doc = { list: ['a', 'c'] };
      expect(applyJsonPatch(doc, [{ op: 'add', path: '/list/1', value: 'b' }])).to.deep.equal({ list: ['a', 'b', 'c'] });
      expect(applyJsonPatch(doc, [{ op: 'add', path: '/list/0', value: 'z' }])).to.deep.equal({ list: ['z', 'a', 'c'] });
      expect(applyJsonPatch(doc, [{ op: 'add', path: '/list/2', value: 'd' }])).to.deep.equal({ list: ['a', 'c', 'd'] });
      expect(applyJsonPatch(doc, [{ op: 'add', path: '/list/-', value: 'd' }])).to.deep.equal({ list: ['a', 'c', 'd'] });
    });

    it('replaces the whole document at the empty path', () => {
      expect(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }])).to.deep.equal({ b: 2 });
    });

    it('accepts null as a value', () => {
      expect(applyJsonPatch({}, [{ op: 'add', path: '/a', value: null }])).to.deep.equal({ a: null });
    });

    it('treats a numeric token on an object as a member name', () => {
      expect(applyJsonPatch({ x: {} }, [{ op: 'add', path: '/x/0', value: true }])).to.deep.equal({ x: { '0': true } });
    });

    it('fails when the parent does not exist, naming the missing location', () => {
      unprocessable(
        () => applyJsonPatch({}, [{ op: 'add', path: '/a/b', value: 1 }]),
        "Patch operation 0 (add at '/a/b'): 'path' location '/a' does not exist",
      );
    });

    it('fails when the parent is not a container', () => {
      unprocessable(() => applyJsonPatch({ a: 'text' }, [{ op: 'add', path: '/a/b', value: 1 }]), /'\/a' is not an object or array/);
    });

    it('fails for an index beyond the array length or with leading zeros', () => {
      unprocessable(
        () => applyJsonPatch({ list: [1] }, [{ op: 'add', path: '/list/2', value: 1 }]),
        /^Patch operation 0 \(add at '\/list\/2'\): index 2 .* out of range for an array of length 1$/,
      );
      unprocessable(() => applyJsonPatch({ list: [1] }, [{ op: 'add', path: '/list/01', value: 1 }]), /not a valid array index/);
      unprocessable(() => applyJsonPatch({ list: [1] }, [{ op: 'add', path: '/list/x', value: 1 }]), /not a valid array index/);
    });
  });

  describe('remove', () => {
    it('removes an object member and an array element', () => {
      expect(applyJsonPatch({ a: 1, b: 2 }, [{ op: 'remove', path: '/a' }])).to.deep.equal({ b: 2 });
      expect(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/1' }])).to.deep.equal({ l: [1, 3] });
    });

    it('fails for a missing member, an out-of-range index, "-" and the root', () => {
      unprocessable(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]), "Patch operation 0 (remove at '/b'): 'path' location '/b' does not exist");
      unprocessable(() => applyJsonPatch({ l: [1] }, [{ op: 'remove', path: '/l/1' }]), /index 1 .*out of range for an array of length 1/);
      unprocessable(() => applyJsonPatch({ l: [1] }, [{ op: 'remove', path: '/l/-' }]), /not a valid array element/);
      unprocessable(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '' }]), /document root cannot be removed/);
    });

    it('does not treat inherited properties as members', () => {
      unprocessable(() => applyJsonPatch({}, [{ op: 'remove', path: '/toString' }]), /does not exist/);
      unprocessable(() => applyJsonPatch({}, [{ op: 'test', path: '/hasOwnProperty', value: {} }]), /does not exist/);
    });
  });

  describe('replace', () => {
    it('replaces an object member, an array element and the root', () => {
      expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/a', value: 2 }])).to.deep.equal({ a: 2 });
      expect(applyJsonPatch({ l: [1, 2] }, [{ op: 'replace', path: '/l/0', value: 9 }])).to.deep.equal({ l: [9, 2] });
      expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: [1] }])).to.deep.equal([1]);
    });

    it('fails when the target does not exist', () => {
      unprocessable(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), /'\/b' does not exist/);
      unprocessable(() => applyJsonPatch({ l: [] }, [{ op: 'replace', path: '/l/0', value: 2 }]), /out of range/);
      unprocessable(() => applyJsonPatch({ l: [1] }, [{ op: 'replace', path: '/l/-', value: 2 }]), /not a valid array element/);
    });
  });

  describe('move', () => {
    it('moves an object member', () => {
      expect(applyJsonPatch({ a: { x: 1 }, b: {} }, [{ op: 'move', from: '/a/x', path: '/b/y' }])).to.deep.equal({
        a: {},
        b: { y: 1 },
      });
    });

    it('moves array elements using the indexes after removal', () => {
      expect(applyJsonPatch({ l: [1, 2, 3, 4] }, [{ op: 'move', from: '/l/0', path: '/l/3' }])).to.deep.equal({
        l: [2, 3, 4, 1],
      });
    });

    it('is a no-op when from equals path, but from must exist', () => {
      expect(applyJsonPatch({ a: 1 }, [{ op: 'move', from: '/a', path: '/a' }])).to.deep.equal({ a: 1 });
      unprocessable(
        () => applyJsonPatch({ a: 1 }, [{ op: 'move', from: '/b', path: '/b' }]),
        "Patch operation 0 (move from '/b' to '/b'): 'from' location '/b' does not exist",
      );
    });

    it('rejects moving a location into its own child as a malformed patch', () => {
      invalid(() => applyJsonPatch({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]), /cannot move '\/a' into its own child/);
    });
  });

  describe('copy', () => {
    it('copies a value deeply, without aliasing', () => {
      const result = applyJsonPatch({ a: { x: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }]) as {
        a: { x: number[] };
        b: { x: number[] };
      };
      expect(result).to.deep.equal({ a: { x: [1] }, b: { x: [1] } });
      result.b.x.push(2);
      expect(result.a.x).to.deep.equal([1]);
    });

    it('fails when from does not exist', () => {
      unprocessable(() => applyJsonPatch({}, [{ op: 'copy', from: '/a', path: '/b' }]), /'from' location '\/a' does not exist/);
    });
  });

  describe('test', () => {
    it('passes on structurally equal values regardless of member order', () => {
      const doc = { a: { x: 1, y: [1, { z: null }] }, s: 'v' };
      const patch = [
        { op: 'test', path: '/a', value: { y: [1, { z: null }], x: 1 } },
        { op: 'test', path: '/s', value: 'v' },
        { op: 'test', path: '', value: doc },
      ];
      expect(applyJsonPatch(doc, patch)).to.deep.equal(doc);
    });

    it('fails with 422 on a different value, type, array order or extra member', () => {
      const doc = { n: 1, l: [1, 2], o: { a: 1 } };
      unprocessable(() => applyJsonPatch(doc, [{ op: 'test', path: '/n', value: 2 }]), "Patch operation 0 (test at '/n'): test failed: the value at '/n' is not equal to the given value");
      unprocessable(() => applyJsonPatch(doc, [{ op: 'test', path: '/n', value: '1' }]));
      unprocessable(() => applyJsonPatch(doc, [{ op: 'test', path: '/l', value: [2, 1] }]));
      unprocessable(() => applyJsonPatch(doc, [{ op: 'test', path: '/o', value: { a: 1, b: 2 } }]));
      unprocessable(() => applyJsonPatch(doc, [{ op: 'test', path: '/o', value: [] }]));
      unprocessable(() => applyJsonPatch(doc, [{ op: 'test', path: '/n', value: null }]));
    });

    it('fails with 422 when the path does not exist', () => {
      unprocessable(() => applyJsonPatch({}, [{ op: 'test', path: '/a', value: 1 }]), /'\/a' does not exist/);
    });
  });

  describe('JSON Pointer escaping', () => {
    const doc = { 'a/b': 1, 'm~n': 2, '~1': 3, '': 4, ' ': 5, '%25': 6 };

    it('decodes ~1 to / and ~0 to ~, in that order', () => {
      const patch = [
        { op: 'test', path: '/a~1b', value: 1 },
        { op: 'test', path: '/m~0n', value: 2 },
        { op: 'test', path: '/~01', value: 3 },
        { op: 'test', path: '/', value: 4 },
        { op: 'test', path: '/ ', value: 5 },
        { op: 'test', path: '/%25', value: 6 },
      ];
      expect(applyJsonPatch(doc, patch)).to.deep.equal(doc);
    });

    it('writes through escaped tokens', () => {
      expect(applyJsonPatch({}, [{ op: 'add', path: '/x~1y~0z', value: 1 }])).to.deep.equal({ 'x/y~z': 1 });
    });

    it('re-encodes tokens in diagnostics', () => {
      unprocessable(() => applyJsonPatch({}, [{ op: 'remove', path: '/a~1b/c' }]), /'path' location '\/a~1b' does not exist/);
    });

    it('rejects invalid escapes and pointers without a leading slash', () => {
      invalid(() => applyJsonPatch(doc, [{ op: 'test', path: '/a~2', value: 1 }]), /Patch operation 0: 'path' contains an invalid escape/);
      invalid(() => applyJsonPatch(doc, [{ op: 'test', path: '/a~', value: 1 }]), /invalid escape/);
      invalid(() => applyJsonPatch(doc, [{ op: 'test', path: 'a', value: 1 }]), /Patch operation 0: 'path' must be a JSON Pointer starting with '\/'/);
      invalid(() => applyJsonPatch(doc, [{ op: 'copy', from: 'a', path: '/b' }]), /'from' must be a JSON Pointer/);
    });
  });

  describe('patch document validation (400)', () => {
    it('requires an array', () => {
      invalid(() => applyJsonPatch({}, { op: 'add', path: '/a', value: 1 }), 'Patch document must be a JSON array of operations');
      invalid(() => applyJsonPatch({}, null));
      invalid(() => applyJsonPatch({}, '[]'));
    });

    it('accepts an empty patch and returns a copy', () => {
      const doc = { a: [1] };
      const result = applyJsonPatch(doc, []);
      expect(result).to.deep.equal(doc);
      expect(result).to.not.equal(doc);
    });

    it('names the operation index and the problem', () => {
      const ok = { op: 'test', path: '/a', value: 1 };
      invalid(() => applyJsonPatch({ a: 1 }, [ok, ok, { op: 'add', value: 1 }]), "Patch operation 2: 'path' is required");
      invalid(() => applyJsonPatch({}, ['add']), 'Patch operation 0: must be a JSON object');
      invalid(() => applyJsonPatch({}, [null]), 'Patch operation 0: must be a JSON object');
      invalid(() => applyJsonPatch({}, [[]]), 'Patch operation 0: must be a JSON object');
      invalid(() => applyJsonPatch({}, [{ path: '/a' }]), "Patch operation 0: 'op' is required");
      invalid(() => applyJsonPatch({}, [{ op: 'merge', path: '/a' }]), "Patch operation 0: 'op' must be one of add, remove, replace, move, copy, test");
      invalid(() => applyJsonPatch({}, [{ op: 'ADD', path: '/a', value: 1 }]), /'op' must be one of/);
      invalid(() => applyJsonPatch({}, [{ op: 'remove', path: 1 }]), "Patch operation 0: 'path' must be a string");
      for (const op of ['add', 'replace', 'test']) {
        invalid(() => applyJsonPatch({}, [{ op, path: '/a' }]), `Patch operation 0: 'value' is required for '${op}'`);
      }
      for (const op of ['move', 'copy']) {
        invalid(() => applyJsonPatch({}, [{ op, path: '/a' }]), `Patch operation 0: 'from' is required for '${op}'`);
        invalid(() => applyJsonPatch({}, [{ op, path: '/a', from: 3 }]), "Patch operation 0: 'from' must be a string");
      }
    });

    it('ignores unrecognised members and members irrelevant to the op', () => {
      expect(applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/a', value: 'ignored', from: 7, xyz: 1 }])).to.deep.equal({});
    });

    it('rejects non-JSON values', () => {
      invalid(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value: undefined }]), /'value' is required/);
      invalid(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value: Number.NaN }]), /'value' is not valid JSON: non-finite number/);
      invalid(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value: [() => 1] }]), /'value' is not valid JSON/);
      invalid(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value: { d: new Date() } }]), /'value' is not valid JSON/);
    });

    it('validates the whole patch before applying anything', () => {
      // Operation 0 would fail with 422, but operation 1 is malformed, so the answer is 400.
      invalid(
        () => applyJsonPatch({}, [{ op: 'remove', path: '/missing' }, { op: 'add', path: '/a' }]),
        "Patch operation 1: 'value' is required for 'add'",
      );
    });
  });

  describe('safety', () => {
    it('never mutates the input document or the patch, on success or failure', () => {
      const doc = { a: { b: [1, 2] }, c: 'x' };
      const snapshot = JSON.parse(JSON.stringify(doc)) as unknown;
      const value = { nested: [1] };
      const patch = [
        { op: 'add', path: '/a/b/-', value },
        { op: 'remove', path: '/c' },
        { op: 'move', from: '/a/b/0', path: '/moved' },
        { op: 'replace', path: '/a/b/0', value: 'r' },
      ];
      const patchSnapshot = JSON.parse(JSON.stringify(patch)) as unknown;

      const result = applyJsonPatch(doc, patch) as { a: { b: unknown[] }; moved: number };
      expect(result).to.deep.equal({ a: { b: ['r', { nested: [1] }] }, moved: 1 });
      expect(doc).to.deep.equal(snapshot);
      expect(patch).to.deep.equal(patchSnapshot);

      // The result shares no structure with the patch values or the input.
      (result.a.b[1] as { nested: number[] }).nested.push(99);
      expect(value.nested).to.deep.equal([1]);
      expect(result.a).to.not.equal(doc.a);

      unprocessable(() => applyJsonPatch(doc, [...patch, { op: 'test', path: '/c', value: 'x' }]));
      expect(doc).to.deep.equal(snapshot);
    });

    it('is atomic: a later failure yields no result and leaves the input untouched', () => {
      const doc = { a: 1 };
      const err = unprocessable(
        () =>
          applyJsonPatch(doc, [
            { op: 'replace', path: '/a', value: 2 },
            { op: 'add', path: '/b', value: 3 },
            { op: 'test', path: '/a', value: 1 },
          ]),
        "Patch operation 2 (test at '/a'): test failed: the value at '/a' is not equal to the given value",
      );
      expect(err.message).to.contain('Patch operation 2');
      expect(doc).to.deep.equal({ a: 1 });
    });

    it('does not alias repeated insertions of the same value', () => {
      const result = applyJsonPatch({}, [
        { op: 'add', path: '/a', value: { l: [] } },
        { op: 'copy', from: '/a', path: '/b' },
        { op: 'add', path: '/a/l/-', value: 1 },
      ]);
      expect(result).to.deep.equal({ a: { l: [1] }, b: { l: [] } });
    });

    it('rejects prototype-related segments in path and from', () => {
      for (const segment of ['__proto__', 'constructor', 'prototype']) {
        invalid(
          () => applyJsonPatch({}, [{ op: 'add', path: `/${segment}/polluted`, value: true }]),
          `Patch operation 0: 'path' must not contain the segment '${segment}'`,
        );
        invalid(() => applyJsonPatch({}, [{ op: 'add', path: `/${segment}`, value: { polluted: true } }]));
        invalid(() => applyJsonPatch({}, [{ op: 'copy', from: `/${segment}`, path: '/x' }]), /'from' must not contain the segment/);
        invalid(() => applyJsonPatch({}, [{ op: 'test', path: `/a/${segment}`, value: 1 }]));
      }
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    it("rejects '__proto__' member names inside values", () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
      invalid(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value }]), /member name '__proto__' is not allowed/);
      invalid(() => applyJsonPatch({}, [{ op: 'test', path: '', value: { x: [value] } }]), /__proto__/);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    it("copies an own '__proto__' member of the document as data, without changing prototypes", () => {
      const doc = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
      const result = applyJsonPatch(doc, [{ op: 'replace', path: '/a', value: 2 }]) as Record<string, unknown>;
      expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
      expect(Object.keys(result)).to.deep.equal(['__proto__', 'a']);
      expect(result['polluted']).to.equal(undefined);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    it('treats a non-JSON document as a programming error, not a client error', () => {
      expect(() => applyJsonPatch({ d: new Date() }, [])).to.throw(TypeError, /document is not JSON data/);
    });
  });
});

/**
 * The JSON Patch cases shared by HL7 (github.com/FHIR/fhir-test-cases, r4/patch/json-patch-tests.json).
 * Each case has `comment`, `doc`, `patch` and either `expected` (the patched document) or `error`
 * (a free-text reason the patch must fail). The file's error texts are not machine-checkable, so
 * error cases assert the status and code instead: every error case in it is a well-formed patch
 * that cannot be applied, hence 422 'processing'.
 */
interface SharedCase {
  comment: string;
  doc: unknown;
  patch: unknown;
  expected?: unknown;
  error?: string;
}

const FHIR_TEST_CASES = sharedDataPath('fhir-test-cases');
const SHARED_CASES_FILE = join(FHIR_TEST_CASES, 'patch-r4', 'json-patch-tests.json');

/**
 * Cases expected to deviate from the file, by comment, with the reason. Such a case is asserted
 * to fail with the given status and code rather than to match the file. None are known.
 */
const KNOWN_DEVIATIONS: Record<string, { reason: string; status: number; code: string }> = {};

describe('applyJsonPatch: fhir-test-cases r4/patch/json-patch-tests.json', () => {
  const cases = JSON.parse(readFileSync(SHARED_CASES_FILE, 'utf8')) as SharedCase[];

  it('loads a non-empty list of well-formed cases', () => {
    expect(cases).to.be.an('array').that.is.not.empty;
    for (const c of cases) {
      expect(c.comment, 'comment').to.be.a('string');
      expect('expected' in c !== 'error' in c, `${c.comment}: exactly one of expected/error`).to.equal(true);
    }
  });

  cases.forEach((c, i) => {
    const deviation = KNOWN_DEVIATIONS[c.comment];
    const title = `#${i} ${c.comment}${deviation ? ' (known deviation)' : ''}`;
    it(title, () => {
      const docBefore = JSON.stringify(c.doc);
      if (deviation) {
        expectFhirError(() => applyJsonPatch(c.doc, c.patch), deviation.status, deviation.code);
      } else if ('expected' in c) {
        expect(applyJsonPatch(c.doc, c.patch)).to.deep.equal(c.expected);
      } else {
        const err = unprocessable(() => applyJsonPatch(c.doc, c.patch));
        expect(err.issues[0]?.diagnostics).to.match(/^Patch operation \d+ \(/);
      }
      expect(JSON.stringify(c.doc), 'input document unchanged').to.equal(docBefore);
    });
  });
});
