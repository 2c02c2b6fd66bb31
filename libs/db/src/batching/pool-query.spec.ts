import type { DataSource } from 'typeorm';
import { MAX_NAMED_STATEMENTS, poolQuery } from './pool-query.js';

/** A DataSource whose pg pool records what it was asked to run. */
function recordingDataSource() {
  const sent: Array<{ name?: string; text: string }> = [];
  const pool = {
    query: (config: { name?: string; text: string }) => {
      sent.push({ name: config.name, text: config.text });
      return Promise.resolve({ rows: [] });
    },
  };
  return { dataSource: { driver: { master: pool } } as unknown as DataSource, sent };
}

describe(poolQuery.name, () => {
  it('prepares each fixed text once under one name derived from the text', async () => {
    const { dataSource, sent } = recordingDataSource();
    const sut = poolQuery(dataSource);
    await sut('SELECT 1', []);
    await sut('SELECT 1', []);
    await sut('SELECT 2', []);
    expect(sent[0].name).toMatch(/^lh_[0-9a-f]{16}$/);
    expect(sent[1].name).toBe(sent[0].name);
    expect(sent[2].name).not.toBe(sent[0].name);
  });

  it(`names at most ${MAX_NAMED_STATEMENTS} texts, so texts built per call cannot grow the prepared statements of every connection`, async () => {
    const { dataSource, sent } = recordingDataSource();
    const sut = poolQuery(dataSource);
    for (let i = 0; i < MAX_NAMED_STATEMENTS * 3; i++) await sut(`SELECT ${i}`, []);
    const names = new Set(sent.map((s) => s.name).filter(Boolean));
    expect(names.size).toBe(MAX_NAMED_STATEMENTS);
    // The texts past the bound still run, unnamed (parsed each time), and a text named before keeps its name.
    expect(sent.slice(MAX_NAMED_STATEMENTS).every((s) => s.name === undefined)).toBe(true);
    await sut('SELECT 0', []);
    expect(sent[sent.length - 1].name).toBe(sent[0].name);
  });
});
