import { expect } from 'chai';
import type { ReindexJob } from '../storage/reindex-jobs';
import { ReindexState } from './state';

const job = (id: string, extra: Partial<ReindexJob> = {}): ReindexJob => ({
  id,
  types: ['Observation'],
  urls: ['http://x/sp'],
  codes: ['note'],
  incomplete: true,
  status: 'queued',
  phase: 'scan',
  processed: 0,
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('reindex state', () => {
  it('reports the incomplete parameters of unfinished jobs, by type and code', () => {
    const state = new ReindexState();
    state.replace([job('a', { status: 'running', processed: 3, total: 10 }), job('b', { incomplete: false }), job('c', { status: 'done' })], state.mark());
    expect(state.incomplete('Observation', 'note')).to.deep.equal({ jobId: 'a', processed: 3, total: 10, failed: false });
    expect(state.incomplete('Observation', 'code')).to.equal(undefined);
    expect(state.incomplete('Patient', 'note')).to.equal(undefined);
    state.replace([job('d', { codes: [], status: 'failed' })], state.mark());
    expect(state.incomplete('Observation', 'anything')).to.deep.equal({ jobId: 'd', processed: 0, failed: true });
  });

  it('keeps local changes newer than the database read that replaces the jobs', () => {
    const state = new ReindexState();
    const since = state.mark();
    state.queued(job('new'));
    state.update(job('old', { status: 'done' }));
    // The read began before both changes: it misses the new job and still lists the old one.
    state.replace([job('old', { status: 'running' })], since);
    expect(state.incomplete('Observation', 'note')?.jobId).to.equal('new');
    // A later read is taken as it is.
    state.replace([], state.mark());
    expect(state.incomplete('Observation', 'note')).to.equal(undefined);
  });
});
