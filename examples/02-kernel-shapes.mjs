// Example 2: a 3x3 pool with stride 1, and a rectangular (2, 3) pool with stride (2, 3), on a 1x1x6x9 input.
// PyTorch: nn.MaxPool2d(3, stride=1)(x); nn.MaxPool2d((2, 3), stride=(2, 3))(x)
import { MaxPool2d } from 'maxpool2d';

const x = { data: Float32Array.from({ length: 6 * 9 }, (_, i) => Math.sin(i)), shape: [1, 1, 6, 9] };

const square = new MaxPool2d(3, { stride: 1 });
console.log('3x3, stride 1:', x.shape, '->', square.forward(x).shape);

const rectangular = new MaxPool2d([2, 3], { stride: [2, 3] });
console.log('(2, 3), stride (2, 3):', x.shape, '->', rectangular.forward(x).shape);
