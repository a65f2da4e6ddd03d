import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the shared data beside it (images and real weights; never copied into the repo). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const REAL_WEIGHTS = path.join(SHARED, 'models/vgg19_imagenet_notop_block1-3.h5');
export const sharedImage = (relative: string) => path.join(SHARED, 'images', relative);
