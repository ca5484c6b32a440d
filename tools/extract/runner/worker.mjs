// Worker thread entry. A worker does not always inherit the parent's TypeScript loader (a
// parent started by plain `node` with tsx registered in-process passes nothing on), so it
// registers tsx itself and then loads the TypeScript side of the worker.
import { register } from 'tsx/esm/api';

register();
await import('./page-worker.ts');
