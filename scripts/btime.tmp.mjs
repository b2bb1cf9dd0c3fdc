import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
const [entry, n] = process.argv.slice(2);
for (let i = 0; i < Number(n); i++) {
  const dir = mkdtempSync('/tmp/bt-');
  const p = spawn(process.execPath, [...(process.env.NOSM?[]:['--enable-source-maps']), entry], { env: { ...process.env, DATA_DIR: dir, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((r) => p.stdout.on('data', (d) => { out += d; if (/PORT \d+/.test(out)) r(); }));
  const f = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  console.log(entry.split('/').at(-2), process.env.NOSM ? 'nosm' : 'sm', 'cpu ms', (Number(f[11]) + Number(f[12])) * 10);
  p.kill('SIGKILL');
}
