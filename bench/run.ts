// `npm run bench` dispatches here: `--event-loop` measures the main thread while a job runs in the worker;
// anything else is the engine's speed bench.
if (process.argv.includes('--event-loop')) await import('./event-loop.js');
else await import('./engine.js');
