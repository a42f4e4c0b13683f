// Bootstrap of the prepare worker thread: registers tsx's TypeScript loader in this thread (a
// worker does not always inherit the parent's loader, e.g. under the `tsx` CLI), then loads the
// TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./prepare.worker.ts');
