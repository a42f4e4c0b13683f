// A read thread of read-pool.ts. Worker threads do not inherit the main thread's TypeScript loader
// (tsx), so this plain-JavaScript entry registers it and then loads the worker itself.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./read-worker.ts', import.meta.url).href);
