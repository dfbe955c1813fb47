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
        manualChunks: {
          echarts: ['echarts'],
          aggrid: ['ag-grid-community', 'ag-grid-react'],
          antd: ['antd'],
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
