/**
 * The relay's executable, bin.js beside this file in dist/cli (bundled or
 * not), which the background commands start.
 */
import { fileURLToPath } from 'node:url';

export const RELAY_EXECUTABLE = fileURLToPath(new URL('./bin.js', import.meta.url));
