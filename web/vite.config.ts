import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web client is built into web/dist and served by the `http` listener.
 * `npm run web:dev` serves it with hot reload and forwards the API and the
 * WebSocket to a running `coo serve` (COO_URL, default https://127.0.0.1:8443).
 */
const target = process.env.COO_URL ?? 'https://127.0.0.1:8443';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target, secure: false },
      '/ws': { target, secure: false, ws: true },
    },
  },
});
