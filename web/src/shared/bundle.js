// The bundled models and test images, served at models/ next to the page (see
// the `bundledModels` plugin in web/vite.config.js): the manifest
// (models/models.json), the .onnx files and the .npy sample data.
import { IMAGE_SIZE } from './model-input.js';
import { parseNpy, toInt32 } from './npy.js';

/** The preprocessing every bundled model uses, if the manifest does not say. */
export const DEFAULT_PREPROCESSING = { scale: 1 / 255, mean: 0.286, std: 0.353 };

/**
 * One model of models/models.json (the fields the panel uses).
 * @typedef {object} ManifestModel
 * @property {string} id
 * @property {string} file
 * @property {string} title
 * @property {string} description
 * @property {{ name: string, shape: Array<number | string> }} input
 * @property {{ name: string, shape: Array<number | string> }} output
 * @property {string[]} class_names
 * @property {{ scale: number, mean: number, std: number }} input_preprocessing
 * @property {{ fp32_full_test: number, fp32_bundled_test: number, fp32_bundled_test_images: number }} accuracy
 * @property {number} parameters
 * @property {number} file_size_bytes
 * @property {Record<string, number>} ops
 */

/**
 * @typedef {object} Manifest
 * @property {string[]} class_names
 * @property {{ scale: number, mean: number, std: number }} input_preprocessing
 * @property {{ test: { images: string, labels: string, count: number }, calib?: { images: string, labels: string, count: number } }} data
 * @property {ManifestModel[]} models
 */

/** The URL of a file under models/. */
export function modelsUrl(relative) {
  return new URL(`models/${relative}`, document.baseURI).href;
}

async function fetchBytes(relative) {
  let response;
  try {
    response = await fetch(modelsUrl(relative));
  } catch (error) {
    throw new Error(`models/${relative} could not be fetched (${error instanceof Error ? error.message : error})`);
  }
  if (!response.ok) throw new Error(`models/${relative} could not be fetched (HTTP ${response.status})`);
  // a single-page server answers a missing file with the page itself
  if (/text\/html/.test(response.headers.get('Content-Type') ?? '')) throw new Error(`models/${relative} is missing on the server`);
  return new Uint8Array(await response.arrayBuffer());
}

/** @returns {Promise<Manifest>} */
export async function loadManifest() {
  const bytes = await fetchBytes('models.json');
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`models/models.json is not valid JSON (${error instanceof Error ? error.message : error})`);
  }
  if (!Array.isArray(manifest?.models)) throw new Error('models/models.json has no list of models');
  return manifest;
}

/** The .onnx bytes of a bundled model. */
export function loadModelBytes(entry) {
  return fetchBytes(entry.file);
}

/**
 * A bundled image set of the manifest's `data`: uint8 N×1×28×28 images and
 * their labels. `which` is 'test' (the evaluation set) or 'calib' (the
 * calibration set, drawn from the training images).
 * @param {Manifest | null} manifest
 * @param {'test' | 'calib'} [which]
 * @returns {Promise<{ images: Uint8Array, labels: Int32Array, count: number }>}
 */
export async function loadImageSet(manifest, which = 'test') {
  const set = manifest?.data?.[which];
  const imagesFile = set?.images ?? `data/${which}_images_u8.npy`;
  const labelsFile = set?.labels ?? `data/${which}_labels.npy`;
  const [imageBytes, labelBytes] = await Promise.all([fetchBytes(imagesFile), fetchBytes(labelsFile)]);
  const images = parseNpy(imageBytes, imagesFile);
  const labels = parseNpy(labelBytes, labelsFile);
  const s = images.shape;
  if (images.dtype !== 'uint8' || s.length !== 4 || s[1] !== 1 || s[2] !== IMAGE_SIZE || s[3] !== IMAGE_SIZE) {
    throw new Error(`${imagesFile} holds ${images.dtype} (${s.join(', ')}), expected uint8 (N, 1, 28, 28)`);
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== s[0]) {
    throw new Error(`${labelsFile} holds ${labels.shape.join('×')} labels for ${s[0]} images`);
  }
  return { images: /** @type {Uint8Array} */ (images.data), labels: toInt32(labels), count: s[0] };
}

/**
 * The bundled test images (uint8 N×1×28×28) and labels.
 * @param {Manifest | null} manifest
 */
export function loadTestSet(manifest) {
  return loadImageSet(manifest, 'test');
}
