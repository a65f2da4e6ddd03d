import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/index.js';
import { ImageInputError } from '../../src/images/index.js';
import { PipelineOutputError, StylizeOptionsError } from '../../src/pipeline/index.js';
import { fromWire, toWire } from '../../src/worker/protocol.js';

/** What crosses the thread boundary: structured clone keeps plain data only. */
const acrossThreads = (error: unknown) => fromWire(structuredClone(toWire(error)));

describe('errors from the engine worker', () => {
  it('come back as the classes the job service branches on', () => {
    expect(acrossThreads(new EngineError('WEIGHTS_NOT_FOUND', 'no weights at /x.h5'))).toEqual(new EngineError('WEIGHTS_NOT_FOUND', 'no weights at /x.h5'));
    const image = acrossThreads(new ImageInputError('TOO_MANY_PIXELS', { width: 60000, height: 60000, maxPixels: 4e7 }, 'Style image 2'));
    expect(image).toBeInstanceOf(ImageInputError);
    expect(image).toMatchObject({ code: 'TOO_MANY_PIXELS', subject: 'Style image 2', details: { width: 60000 } });
    expect(image.message).toMatch(/^Style image 2 is 60000x60000 pixels/);
    const options = acrossThreads(new StylizeOptionsError([{ key: 'lr', message: 'must be more than 0' }]));
    expect(options).toBeInstanceOf(StylizeOptionsError);
    expect(options).toMatchObject({ issues: [{ key: 'lr', message: 'must be more than 0' }] });
    const output = acrossThreads(new PipelineOutputError('gif', 4096));
    expect(output).toBeInstanceOf(PipelineOutputError);
    expect(output).toMatchObject({ output: 'gif', maxBytes: 4096, code: 'OUTPUT_TOO_LARGE' });
  });

  it('keep the name, code and the worker stack of anything else', () => {
    const bug = Object.assign(new TypeError("Cannot read properties of undefined (reading 'x')"), { code: 'ERR_SOMETHING' });
    const back = acrossThreads(bug);
    expect(back).toMatchObject({ name: 'TypeError', message: bug.message, code: 'ERR_SOMETHING' });
    expect(back.stack).toBe(bug.stack);
    expect(acrossThreads('a string')).toMatchObject({ name: 'Error', message: 'a string' });
  });
});
