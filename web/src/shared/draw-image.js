// Draws a Fashion-MNIST image from its raw pixels into a 28×28 canvas (the
// Model panel's predictions, the Calibrate panel's disagreements).
import { IMAGE_SIZE } from './model-input.js';

/**
 * Draws image `index` of `images` (uint8, N×28×28, white garment on black as
 * stored) into `canvas`, which should be IMAGE_SIZE × IMAGE_SIZE pixels.
 * @param {HTMLElement} canvas a <canvas>
 * @param {Uint8Array} images
 * @param {number} index
 */
export function drawImage(canvas, images, index) {
  const ctx = /** @type {HTMLCanvasElement} */ (canvas).getContext('2d');
  if (!ctx) return;
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const rgba = ctx.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  for (let p = 0; p < pixels; p += 1) {
    const v = images[index * pixels + p];
    rgba.data[4 * p] = v;
    rgba.data[4 * p + 1] = v;
    rgba.data[4 * p + 2] = v;
    rgba.data[4 * p + 3] = 255;
  }
  ctx.putImageData(rgba, 0, 0);
}
