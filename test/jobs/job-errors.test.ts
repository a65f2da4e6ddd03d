import { describe, expect, it } from 'vitest';
import { describeFailure, describeJobError } from '../../src/bots/shared/messages/job-errors.js';
import { classifyFailure, JobError, type FailureDetails, type JobErrorDetails } from '../../src/jobs/index.js';
import { EngineError } from '../../src/engine/index.js';
import { ImageInputError } from '../../src/images/index.js';
import { EngineWorkerError } from '../../src/worker/index.js';
import { T0 } from './support.js';

const refusals: JobErrorDetails[] = [
  { code: 'INVALID_OPTIONS', violations: [{ option: 'steps', message: 'must be at least 1 (got 0)' }], source: 'options' },
  { code: 'INVALID_INPUT', problem: 'noStyle' },
  { code: 'INVALID_INPUT', problem: 'tooManyStyles', max: 8, got: 9 },
  { code: 'INVALID_INPUT', problem: 'image', picture: { role: 'style', index: 2, count: 3 }, imageCode: 'TOO_SMALL', imageDetails: { width: 8, height: 8, minSide: 16 } },
  { code: 'INVALID_PRESET_NAME', name: 'a b' },
  { code: 'PRESET_NOT_FOUND', name: 'ink' },
  { code: 'PRESET_EXISTS', name: 'ink' },
  { code: 'INVALID_SHARE_CODE', problem: 'version', violations: [] },
  { code: 'LIMIT_REACHED', limit: 'userBudget', max: 900, retryAt: new Date(T0 + 12 * 60_000) },
  { code: 'JOB_TOO_LARGE', estimatedSeconds: 4000, budgetSeconds: 900, scope: 'server' },
  { code: 'JOB_TOO_MUCH_MEMORY', neededBytes: 12 * 2 ** 30, maxBytes: 6 * 2 ** 30, fits: { size: 700, lbfgsHistory: 40 } },
  { code: 'JOB_TOO_MUCH_MEMORY', neededBytes: 12 * 2 ** 30, maxBytes: 2 ** 28, fits: { size: null, lbfgsHistory: null } },
  { code: 'JOB_NOT_FOUND', jobId: 'abcdefgh' },
  { code: 'JOB_NOT_ACTIVE', jobId: 'abcdefgh', status: 'done' },
  { code: 'JOB_NOT_DONE', jobId: 'abcdefgh', status: 'running' },
  { code: 'FILES_PURGED', jobId: 'abcdefgh', purgedAt: new Date(T0) },
  { code: 'FOLLOW_UP_AT_CAP', jobId: 'abcdefgh', size: 1024, maxSize: 1024 },
  { code: 'NOT_OWNER', jobId: 'abcdefgh' },
  { code: 'NOT_ADMIN' },
  { code: 'SHUTTING_DOWN' },
];

describe('job errors are codes and details; the bot layer has the words', () => {
  it('gives every refusal a sentence, and JobError itself only a developer line', () => {
    for (const details of refusals) {
      const text = describeJobError(details, T0);
      expect(text, details.code).toMatch(/^[A-Z"].*[.:)a-z0-9]$/s);
      expect(text, details.code).not.toMatch(/undefined|null|NaN|\[object/);
      expect(new JobError(details).message.startsWith(details.code)).toBe(true);
    }
    expect(describeJobError(refusals[8]!, T0)).toBe('You have used your compute time for this hour in this server. Try again in 12 minutes.');
    expect(describeJobError(refusals[3]!, T0)).toBe('Style picture 2 is only 8x8 pixels; each side must be at least 16: send a larger picture.');
    expect(describeJobError(refusals[10]!, T0)).toBe('This job needs about 12 GB of memory, more than the 6.0 GB a job may use here: with these options, a size of at most 700 px or an L-BFGS history of at most 40 fits.');
  });

  it('keeps a failure as data that survives JSON (it is stored so) and renders it when read', () => {
    const failures = [
      classifyFailure(new ImageInputError('TRUNCATED', {}, 'The content image'), 'job00001'),
      classifyFailure(new EngineError('IMAGE_TOO_SMALL', 'too small'), 'job00001'),
      classifyFailure(new EngineError('WEIGHTS_NOT_FOUND', 'no file at /secret/path'), 'job00001'),
      classifyFailure(new Error('onnx exploded at /src/engine/x.ts:12'), 'job00001'),
    ];
    expect(failures.map((f) => f.code)).toEqual(['INVALID_INPUT', 'INVALID_INPUT', 'ENGINE_UNAVAILABLE', 'INTERNAL']);
    for (const failure of failures) {
      const stored = JSON.parse(JSON.stringify(failure.details)) as FailureDetails;
      expect(stored).toEqual(failure.details);
      const text = describeFailure(failure.code, stored);
      expect(text.length).toBeGreaterThan(20);
      expect(text).not.toMatch(/secret|onnx|\/src\//);
    }
    expect(describeFailure(failures[0]!.code, failures[0]!.details)).toBe('The content image is cut off (an incomplete download or upload?): send the complete file again.');
    expect(describeFailure(failures[3]!.code, failures[3]!.details)).toBe('Something went wrong while stylising job job00001. Try again; if it fails again, try a smaller size or fewer steps.');
    // a stored failure of an unknown shape still reads as a sentence
    expect(describeFailure('INTERNAL', null)).toMatch(/^Something went wrong/);
  });

  it('tells a crashed engine worker apart from other failures: it was probably memory, so a smaller job helps', () => {
    const crash = classifyFailure(new EngineWorkerError('The engine worker stopped under job job00001 (exit code 134).', 'job00001', 134), 'job00001');
    expect(crash).toEqual({ code: 'ENGINE_CRASHED', details: { code: 'ENGINE_CRASHED', jobId: 'job00001', exitCode: 134 }, operatorError: true });
    const stored = JSON.parse(JSON.stringify(crash.details)) as FailureDetails;
    expect(describeFailure(crash.code, stored)).toBe('The engine stopped unexpectedly while running job job00001 (probably out of memory): try a smaller size, fewer styles or a shorter L-BFGS history.');
    // a thread that died of an uncaught error has no exit code
    expect(classifyFailure(new EngineWorkerError('stopped', 'job00001', null), 'job00001').details).toEqual({ code: 'ENGINE_CRASHED', jobId: 'job00001', exitCode: null });
  });
});
