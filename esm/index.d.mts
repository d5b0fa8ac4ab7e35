import * as maxpool2d from '../dist/index.js';

export * from '../dist/index.js';
export default maxpool2d;
