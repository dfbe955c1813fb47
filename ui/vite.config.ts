/// <reference types="vitest" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Everything is bundled into dist/ (no CDN, no web fonts); the Maven build copies it into the
// strata-ui jar under strata-ui/, which the server serves at /.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      output: {
        // Heavy libraries in chunks of their own, each loaded only by the pages that use it
        // (pages are split by route in App.tsx).
        manualChunks(id: string) {
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          if (/node_modules\/ag-grid-/.test(id)) return 'aggrid';
          if (/node_modules\/(@codemirror|@lezer|@uiw|crelt|style-mod|w3c-keyname)\//.test(id)) return 'codemirror';
          // the rest (React, antd, helpers) by name too: left unnamed, Rollup would put React
          // inside a heavy chunk that imports it, and every page would load that chunk
          if (id.includes('/node_modules/')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
