// Example 5: the pooling stages of a small CNN on a 1x3x32x32 image: 32 -> 16 -> 8.
// A real network puts convolutions (and ReLUs) between the pools; this package does pooling only, so this
// example pools the image directly: no convolution library is needed to show the shapes.
import { backend, MaxPool2d } from 'maxpool2d';

let seed = 42;
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const image = { data: Float32Array.from({ length: 3 * 32 * 32 }, random), shape: [1, 3, 32, 32] };

const pool = new MaxPool2d(2, { stride: 2 });
console.log('input     ', image.shape);
const stage1 = pool.forward(image); // after conv1 + ReLU in a real network
console.log('after pool', stage1.shape);
const stage2 = pool.forward(stage1); // after conv2 + ReLU in a real network
console.log('after pool', stage2.shape);
console.log('backend:', backend());
