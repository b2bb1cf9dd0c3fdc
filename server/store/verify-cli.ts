import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { SqliteEventStore } from './sqlite';
import { verifyChain } from './chain';

// `npm run verify -- <session id>`: checks a session's hash chain in DATA_DIR and names the first bad
// event. Exit 0 when the chain holds, 1 when it does not, 2 when the session cannot be read.
// `npm run verify -- archive.zip`: checks an archive offline (server/report/verify-archive.ts).
async function main(): Promise<number> {
  const id = process.argv[2];
  if (!id) {
    console.error('用法 / usage: npm run verify -- <session id> | <archive.zip>');
    return 2;
  }
  if (/\.zip$/i.test(id)) return verifyZip(id);
  const file = resolve(process.env.DATA_DIR ?? 'data', 'panelroom.sqlite');
  if (!existsSync(file)) {
    console.error(`找不到数据库 / no database at ${file}`);
    return 2;
  }
  const store = new SqliteEventStore(file);
  try {
    const events = await store.read(id);
    if (events.length === 0) {
      console.error(`没有这场评审 / no session ${id}`);
      return 2;
    }
    const bad = verifyChain(id, events);
    if (bad) {
      console.log(`✗ 第一个问题 / first problem: seq ${bad.seq}: ${bad.message.zh} / ${bad.message.en}`);
      return 1;
    }
    const head = events[events.length - 1];
    console.log(`✓ 哈希链完整 / chain verified: ${events.length} events, head ${head.hash}`);
    return 0;
  } finally {
    await store.close();
  }
}

async function verifyZip(path: string): Promise<number> {
  if (!existsSync(path)) {
    console.error(`找不到文件 / no file at ${path}`);
    return 2;
  }
  const { verifyArchive } = await import('../report/verify-archive');
  const r = await verifyArchive(readFileSync(path));
  if (!r.ok) {
    console.log(`✗ 第一个问题 / first problem: ${r.problem.zh} / ${r.problem.en}`);
    return 1;
  }
  console.log(`✓ 归档完整 / archive verified: ${r.events} events, head ${r.head}; report revision ${r.revision} sha256 ${r.reportSha256}; ${r.files} files match manifest.json`);
  return 0;
}

main().then((code) => process.exit(code));
