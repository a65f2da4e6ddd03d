// Starts a TypeScript worker entry (tests, `tsx src/main.ts`): Node 20 applies neither the parent thread's
// loader hooks nor `--import tsx` from a Worker's execArgv, so tsx is registered here, inside the worker.
// The entry's file URL is the worker's last argument. Compiled builds start entry.js directly.
import { register } from 'tsx/esm/api';

register();
await import(process.argv.at(-1));
