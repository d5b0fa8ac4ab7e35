// Example 4: return the argmax indices, then put the maxima back with MaxUnpool2d.
// PyTorch: pool = nn.MaxPool2d(2, stride=2, return_indices=True); unpool = nn.MaxUnpool2d(2, stride=2)
import { formatTensor, MaxPool2d, MaxUnpool2d } from 'maxpool2d';

const x = {
  data: new Float32Array([1, 3, 2, 4, 5, 6, 1, 2, 7, 8, 3, 1, 2, 4, 6, 5]),
  shape: [1, 1, 4, 4],
};
const pool = new MaxPool2d(2, { stride: 2, returnIndices: true });
const unpool = new MaxUnpool2d(2, { stride: 2 });

const [y, indices] = pool.forward(x);
console.log('Output shape:', y.shape);
console.log('Indices shape:', indices.shape);
// Indices count within each (n, c) plane: h * W + w, as PyTorch's int64 indices.
console.log('Indices:', formatTensor(indices));

const restored = unpool.forward(y, indices);
console.log('Unpooled (maxima back in place, zeros elsewhere), shape', restored.shape);
console.log(formatTensor(restored));
