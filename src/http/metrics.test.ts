import { expect } from 'chai';
import { createMetrics } from './metrics';

describe('metrics sources', () => {
  it('reports database pool use at each scrape', async () => {
    let stats = { total: 3, idle: 1, waiting: 0 };
    const metrics = createMetrics({ poolStats: () => stats });
    let text = await metrics.registry.metrics();
    expect(text).to.contain('hearth_db_pool_connections{state="total"} 3');
    expect(text).to.contain('hearth_db_pool_connections{state="idle"} 1');
    stats = { total: 5, idle: 0, waiting: 2 };
    text = await metrics.registry.metrics();
    expect(text).to.contain('hearth_db_pool_connections{state="total"} 5');
    expect(text).to.contain('hearth_db_pool_connections{state="waiting"} 2');
  });

  it('records validation durations and passes results and errors through', async () => {
    const metrics = createMetrics();
    expect(metrics.timeValidation(() => 42)).to.equal(42);
    expect(() => metrics.timeValidation(() => { throw new Error('boom'); })).to.throw('boom');
    const text = await metrics.registry.metrics();
    expect(text).to.contain('hearth_validation_duration_seconds_count 2');
  });
});
