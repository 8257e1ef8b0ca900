import { expect } from 'chai';
import { ConfigError, loadConfig } from './config';

describe('config', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(8080);
    expect(c.databaseUrl).to.equal(undefined);
    expect(c.dataDir).to.equal('./data');
    expect(c.logLevel).to.equal('info');
    expect(c.maxBodyBytes).to.be.greaterThan(1024);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u@h:5432/db',
      HEARTH_DATA_DIR: '/tmp/x',
      HEARTH_BASE_URL: 'https://fhir.example.org/fhir/',
      LOG_LEVEL: 'warn',
      HEARTH_MAX_BODY_BYTES: '2048',
    });
    expect(c).to.include({ port: 9000, databaseUrl: 'postgres://u@h:5432/db', dataDir: '/tmp/x', logLevel: 'warn', maxBodyBytes: 2048 });
    expect(c.baseUrl).to.equal('https://fhir.example.org/fhir');
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', HEARTH_ADMIN_CLIENT_ID: 'a' });
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect(problems).to.have.length(4);
      expect(problems.join('\n')).to.match(/PORT/).and.match(/LOG_LEVEL/).and.match(/DATABASE_URL/).and.match(/HEARTH_ADMIN_CLIENT_SECRET/);
    }
  });
});
