import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into web/dist, which `gantry serve` hands out at `/`. In development, `vite` proxies the API to a
// running `gantry serve` (GANTRY_URL, default http://127.0.0.1:8080).
const apiTarget = process.env['GANTRY_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': apiTarget, '/hooks': apiTarget } },
});
