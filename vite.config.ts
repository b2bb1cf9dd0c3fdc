import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The single-page app. `npm start` builds it into dist/ and Express serves it; `npm run dev` serves it
// from Vite with the API and websocket proxied to the Node server.
const backend = `http://127.0.0.1:${process.env.BACKEND_PORT ?? 3000}`;

export default defineConfig({
  root: 'client',
  plugins: [svelte()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // Rolldown's [PLUGIN_TIMINGS] report (a warning-level block on every build of this size) reads to a
    // new user of `npm start` as a failure; it is a profiling hint, not a problem (issue 17).
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
      '/yjs': { target: backend, ws: true },
    },
  },
});
