import { expect } from 'chai';
import { fakeProbeDriver } from './fake-probe-driver';
import { ReplicaMonitor } from './replica-monitor';

describe('ReplicaMonitor', () => {
  let clock = 0;
  const setup = (maxLagMs = 1000) => {
    clock = 1_000_000;
    const primary = fakeProbeDriver({ lsn: '0/100' });
    const replica = fakeProbeDriver({ replay: '0/100' });
    const monitor = new ReplicaMonitor({ primary, replica, maxLagMs, now: () => clock, refreshMs: 100, probeTimeoutMs: 50 });
    return { primary, replica, monitor };
  };

  it('is unknown until probed, then streaming with no lag when the replica has replayed the primary', async () => {
    const { monitor } = setup();
    expect(monitor.status()).to.deep.equal({ state: 'unknown' });
    expect(await monitor.usable()).to.equal(true);
    expect(monitor.status()).to.deep.equal({ state: 'streaming', lagMs: 0, replayLsn: '0/100' });
  });

  it('measures lag from the newest primary position the replica has replayed, growing with time', async () => {
    const { primary, replica, monitor } = setup();
    await monitor.refresh();
    clock += 200;
    primary.lsn = '0/200';
    await monitor.refresh();
    expect(monitor.status()).to.include({ state: 'streaming', lagMs: 200 });
    clock += 801;
    expect(monitor.status()).to.include({ state: 'lagging', lagMs: 1001 });
    expect(await monitor.usable()).to.equal(false);
    replica.replay = '0/200';
    clock += 100;
    await monitor.refresh();
    expect(monitor.status(), 'caught up with the position just sampled').to.include({ state: 'streaming', lagMs: 0 });
  });

  it('calls a replica lagging when it has replayed none of the positions it was compared to', async () => {
    const { primary, monitor } = setup();
    primary.lsn = '0/200';
    expect(await monitor.usable()).to.equal(false);
    expect(monitor.status().state).to.equal('lagging');
  });

  it('probes only once the last probe is older than the refresh interval', async () => {
    const { replica, monitor } = setup();
    await monitor.usable();
    const calls = replica.calls;
    clock += 99;
    await monitor.usable();
    expect(replica.calls).to.equal(calls);
    clock += 1;
    await monitor.usable();
    expect(replica.calls).to.equal(calls + 1);
  });

  it('marks an unreachable replica unavailable, and probes it again after a second without making reads wait', async () => {
    const { replica, monitor } = setup();
    replica.error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(await monitor.usable()).to.equal(false);
    expect(monitor.status()).to.deep.equal({ state: 'unavailable' });
    replica.error = undefined;
    clock += 500;
    expect(await monitor.usable()).to.equal(false);
    clock += 500;
    expect(await monitor.usable(), 'the re-probe runs in the background').to.equal(false);
    await new Promise((r) => setImmediate(r));
    expect(await monitor.usable()).to.equal(true);
  });

  it('refuses a database that is not a standby', async () => {
    const { replica, monitor } = setup();
    replica.standby = false;
    expect((await monitor.refresh()).state).to.equal('unavailable');
  });

  it('checks a token against the cached replay position, asking the replica when that is behind', async () => {
    const { replica, monitor } = setup();
    await monitor.refresh();
    const calls = replica.calls;
    expect(await monitor.replayedUpTo(0x100n)).to.equal(true);
    expect(replica.calls).to.equal(calls);
    expect(await monitor.replayedUpTo(0x180n)).to.equal(false);
    replica.replay = '0/180';
    expect(await monitor.replayedUpTo(0x180n)).to.equal(true);
    expect(replica.calls).to.equal(calls + 2);
    replica.error = new Error('Connection terminated unexpectedly');
    expect(await monitor.replayedUpTo(0x200n)).to.equal(false);
    expect(monitor.status().state).to.equal('unavailable');
  });
});
