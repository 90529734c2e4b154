#!/usr/bin/env node
// The `twclid-emulator` command: the compiled emulator in dist/ (shipped in the
// package; in this repository `npm run build` writes it).
import '../dist/bin.js';
