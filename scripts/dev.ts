import { spawn } from 'node:child_process';

// `npm run dev`: the Node server (restarted on change) and Vite's dev server with hot reload; Vite
// proxies /api, /socket.io and /yjs to the Node server, and the join links point at Vite.
const backendPort = process.env.BACKEND_PORT ?? '3000';
const vitePort = process.env.VITE_PORT ?? '5173';
const env = {
  ...process.env,
  PORT: backendPort,
  BACKEND_PORT: backendPort,
  VITE_PORT: vitePort,
  PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${vitePort}`,
  ALLOWED_ORIGINS: [process.env.ALLOWED_ORIGINS, `http://localhost:${vitePort}`, `http://127.0.0.1:${vitePort}`].filter(Boolean).join(','),
};
const children = [
  spawn('node_modules/.bin/tsx', ['watch', 'server/main.ts'], { stdio: 'inherit', env }),
  spawn('node_modules/.bin/vite', [], { stdio: 'inherit', env }),
];
const stop = () => {
  for (const c of children) c.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', (code) => code && stop());
