#!/usr/bin/env node
// The `twclid-kit` command: the compiled CLI in dist/ (shipped in the package;
// in this repository `npm run build` writes it).
import '../dist/bin.js';
