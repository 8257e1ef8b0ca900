import { expect } from 'chai';
import { join } from 'node:path';
import { createBaseValidator } from './base-validator';
import { KNOWN_INVALID_EXAMPLES } from './known-invalid-examples';
import { jsonFiles, R4_EXAMPLES_DIR, readJsonFile, withEntries } from './test-data.test';

/** Every official R4 example passes base validation, except the few that genuinely violate R4. */

describe('official R4 examples', () => {
  const validator = createBaseValidator();
  const files = jsonFiles(R4_EXAMPLES_DIR);
  const knownInvalid = new Map(KNOWN_INVALID_EXAMPLES.map((k) => [k.file, k]));

  it('has the 770 example resources', () => {
    expect(files).to.have.length(770);
  });

  it('accepts every example and every resource inside an example Bundle', () => {
    const failures: string[] = [];
    let count = 0;
    for (const file of files) {
      if (knownInvalid.has(file)) continue;
      for (const resource of withEntries(readJsonFile(join(R4_EXAMPLES_DIR, file)))) {
        count++;
        const issues = validator.validate(resource);
        if (issues.length > 0) {
          failures.push(`${file} ${String(resource.resourceType)}/${String(resource.id)}: ${issues.map((i) => i.diagnostics).join('; ')}`);
        }
      }
    }
    expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(count).to.be.greaterThan(1100);
  });

  for (const known of KNOWN_INVALID_EXAMPLES) {
    it(`rejects ${known.file}: ${known.reason}`, () => {
      const issues = validator.validate(readJsonFile(join(R4_EXAMPLES_DIR, known.file)));
      const errors = issues.filter((i) => i.severity === 'error');
      expect(errors).to.not.deep.equal([]);
      for (const i of errors) {
        expect(i.code, i.diagnostics).to.equal(known.code);
        expect(i.expression?.[0], i.diagnostics).to.match(known.expression);
      }
    });
  }
});
