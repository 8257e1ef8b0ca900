import { expect } from 'chai';
import { assertCleanOutcome, errorExpressions, failure, responseOf, withServer } from './harness';
import { firstDifference, labelOf, loadExamples, mapLimit, withoutServerMeta, type ExampleItem } from './examples-data';
import { REJECTED_EXAMPLES } from './rejected-examples';

const CONCURRENCY = 8;

interface RoundTrip {
  status: number;
  /** The body of the PUT response. */
  stored?: any;
  /** The body of the read that followed. */
  read?: any;
  readStatus?: number;
  outcome?: any;
}

const { files, items } = loadExamples();
const rejected = new Map(REJECTED_EXAMPLES.map((r) => [labelOf(r), r]));

/** Items grouped by the Type/id they are stored under, in file order: each group runs sequentially. */
function groupsByKey(list: ExampleItem[]): ExampleItem[][] {
  const groups = new Map<string, ExampleItem[]>();
  for (const item of list) groups.set(item.key, [...(groups.get(item.key) ?? []), item]);
  return [...groups.values()];
}

describe('conformance: R4 examples data', () => {
  it('has the 770 example files over 132 types, and Bundle entries with ids', () => {
    expect(files).to.have.length(770);
    expect(new Set(items.filter((i) => !i.entry).map((i) => i.resource.resourceType)).size).to.equal(132);
    expect(items.filter((i) => i.entry).length).to.be.greaterThan(300);
  });

  it('lists only rejected examples that exist, once each, with a reason', () => {
    const labels = new Set(items.map(labelOf));
    for (const r of REJECTED_EXAMPLES) {
      expect(labels.has(labelOf(r)), labelOf(r)).to.equal(true);
      expect(r.reason.length, labelOf(r)).to.be.greaterThan(20);
    }
    expect(rejected.size).to.equal(REJECTED_EXAMPLES.length);
  });
});

withServer('conformance: R4 examples round trip', (ctx) => {
  const results = new Map<string, RoundTrip>();

  before(async function () {
    this.timeout(600_000);
    await mapLimit(groupsByKey(items), CONCURRENCY, async (group) => {
      for (const item of group) results.set(labelOf(item), await roundTrip(item));
    });
  });

  async function roundTrip(item: ExampleItem): Promise<RoundTrip> {
    const { resourceType, id } = item.resource;
    try {
      const stored: any = await ctx.client().update({ resourceType, id, body: item.resource });
      const status = responseOf(stored).status;
      const read = await ctx.client().read({ resourceType, id }).then(
        (r: any) => ({ read: r, readStatus: 200 }),
        async (e: unknown) => ({ read: undefined, readStatus: (await failure(Promise.reject(e))).status }),
      );
      return { status, stored, ...read };
    } catch (err) {
      const f = await failure(Promise.reject(err));
      return { status: f.status, outcome: f.data };
    }
  }

  for (const file of files) {
    const fileItems = items.filter((i) => i.file === file);
    const title = fileItems.length > 1 ? `${file} (and ${fileItems.length - 1} Bundle entries)` : file;
    it(title, () => {
      const problems: string[] = [];
      for (const item of fileItems) {
        const label = labelOf(item);
        const result = results.get(label);
        if (!result) {
          problems.push(`${label}: not run`);
          continue;
        }
        const expectedRejection = rejected.get(label);
        if (expectedRejection) {
          if (result.status !== 400 && result.status !== 422) {
            problems.push(`${label}: listed as rejected (${expectedRejection.reason}) but answered ${result.status}`);
            continue;
          }
          assertCleanOutcome(result.outcome);
          const expressions = errorExpressions(result.outcome);
          const others = expressions.filter((e) => !expectedRejection.expression.test(e));
          if (expressions.length === 0 || others.length > 0) problems.push(`${label}: rejected for other reasons too: ${others.join(', ') || 'no expression'}`);
          continue;
        }
        problems.push(...checkRoundTrip(label, item, result));
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }
}, {
  // The examples refer to each other in no particular order, and to resources that are not among
  // them: they are stored one by one, as they are, without referential integrity.
  env: { HEARTH_REFERENTIAL_INTEGRITY: 'off' },
});

function checkRoundTrip(label: string, item: ExampleItem, result: RoundTrip): string[] {
  if (result.status !== 200 && result.status !== 201) {
    const issues = (result.outcome?.issue ?? []).map((i: any) => `${(i.expression ?? []).join('|')} ${i.diagnostics}`).join('; ');
    return [`${label}: PUT answered ${result.status}: ${issues}`];
  }
  if (result.readStatus !== 200) return [`${label}: read answered ${result.readStatus}`];
  const problems: string[] = [];
  for (const [what, body] of [['read', result.read], ['PUT response', result.stored]] as const) {
    if (typeof body?.meta?.versionId !== 'string' || typeof body?.meta?.lastUpdated !== 'string') problems.push(`${label}: ${what} lacks meta.versionId/lastUpdated`);
    const diff = firstDifference(withoutServerMeta(item.resource), withoutServerMeta(body));
    if (diff) problems.push(`${label}: ${what} differs at ${diff}`);
  }
  return problems;
}
