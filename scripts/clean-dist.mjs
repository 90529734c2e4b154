// Empties the current package's dist/ before a build, so a file removed from src
// never lingers in a published tarball.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
