import { expect } from 'chai';
import { join } from 'node:path';
import { createBaseValidator } from './base-validator';
import { jsonFiles, readJsonFile, SYNTHEA_SAMPLE_DIR, withEntries } from './test-data.test';

/** The Synthea sample patients (transaction Bundles) and every resource in them pass. */

describe('Synthea sample data', () => {
  const validator = createBaseValidator();

  it('accepts every sample Bundle and every resource in it', () => {
    const failures: string[] = [];
    let count = 0;
    for (const file of jsonFiles(SYNTHEA_SAMPLE_DIR)) {
      for (const resource of withEntries(readJsonFile(join(SYNTHEA_SAMPLE_DIR, file)))) {
        count++;
        const issues = validator.validate(resource);
        if (issues.length > 0) failures.push(`${file} ${String(resource.resourceType)}: ${issues.map((i) => i.diagnostics).join('; ')}`);
      }
    }
    expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(count).to.be.greaterThan(2800);
  });
});
