// Example 1: a 2x2 max pool with stride 2 halves a 1x1x4x4 feature map.
// PyTorch: nn.MaxPool2d(kernel_size=2, stride=2)(x)
import { MaxPool2d, toList } from 'maxpool2d';

const x = {
  data: new Float32Array([1, 3, 2, 4, 5, 6, 1, 2, 7, 8, 3, 1, 2, 4, 6, 5]),
  shape: [1, 1, 4, 4],
};
const pool = new MaxPool2d(2, { stride: 2 });
const y = pool.forward(x);

console.log('Input:', JSON.stringify(toList(x)));
console.log('Output:', JSON.stringify(toList(y)));
console.log('Input shape:', x.shape, 'Output shape:', y.shape);
