// `npm run bench` dispatches here: `--event-loop` measures the main thread while a job runs in the worker;
// `--discord-load` sends 40 /stylize from 10 users to the local fake Discord while a job runs; `--tiles`
// compares tiled and whole-image steps; anything
// else is the engine's speed bench.
if (process.argv.includes('--event-loop')) await import('./event-loop.js');
else if (process.argv.includes('--discord-load')) await import('./discord-load.js');
else if (process.argv.includes('--tiles')) await import('./tiles.js');
else await import('./engine.js');
