// Example 3: padding 1 with a 3x3 window and stride 1 keeps the spatial size (4x4 -> 4x4).
// Padding is implicit -Infinity: it is never selected as a maximum.
// PyTorch: nn.MaxPool2d(3, stride=1, padding=1)(x)
import { MaxPool2d, toList } from 'maxpool2d';

const x = {
  data: new Float32Array([1, 3, 2, 4, 5, 6, 1, 2, 7, 8, 3, 1, 2, 4, 6, 5]),
  shape: [1, 1, 4, 4],
};
const y = new MaxPool2d(3, { stride: 1, padding: 1 }).forward(x);
console.log('Output:', JSON.stringify(toList(y)));
console.log('Input shape:', x.shape, 'Output shape:', y.shape);
