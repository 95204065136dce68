import { defineConfig } from 'vite';

// Served by the node under /portal; the node embeds `dist/` in its binary. No inline script or
// style survives the build (the node's Content-Security-Policy forbids them).
export default defineConfig({
  base: '/portal/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
  },
});
