// Post-training quantization of the bundled models for the benchmark: static
// int8 with the defaults (per-channel symmetric int8 weights, asymmetric int8
// activations, min-max, 200 calibration images), accuracy of float and int8 on
// the 1,000 bundled test images, and the QDQ export whose bytes the timing
// runs load (our engine fuses it into integer kernels; onnxruntime-web runs
// the same file). quantizeLowBits: the same with MSE weight clipping and the
// report's 4-bit plan applied (the layers whose weights can be 4-bit within
// half a point of float).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../tests/js/lib/npy.mjs';

/** x = (pixel / 255 − mean) / std, as models/models.json says. */
function normalize(u8, pre) {
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i += 1) out[i] = (u8[i] * pre.scale - pre.mean) / pre.std;
  return out;
}

/** The bundled calibration and test data, normalized (read once per run). */
let bundled = null;
function bundledData(root, manifest) {
  if (bundled) return bundled;
  const pre = manifest.input_preprocessing;
  const calib = readNpy(join(root, 'models/data/calib_images_u8.npy'));
  const test = readNpy(join(root, 'models/data/test_images_u8.npy'));
  const labels = Array.from(readNpy(join(root, 'models/data/test_labels.npy')).data, Number);
  bundled = {
    calibration: { data: normalize(calib.data, pre), shape: calib.shape },
    evaluation: { data: normalize(test.data, pre), shape: test.shape, labels },
  };
  return bundled;
}

/** Quantizes one bundled model; returns { floatBytes, int8Bytes, size, floatAccuracy, int8Accuracy, agreement }. */
export async function quantizeBundled(ql, root, manifest, entry) {
  const { calibration, evaluation } = bundledData(root, manifest);
  const floatBytes = readFileSync(join(root, 'models', entry.file));
  const model = await ql.loadModel(floatBytes);
  try {
    const q = await ql.quantizeModel(model, { calibration, samples: 200 });
    try {
      const report = q.reportSync({ evaluation });
      return {
        floatBytes: new Uint8Array(floatBytes),
        int8Bytes: q.exportOnnx(),
        size: report.size,
        floatAccuracy: report.evaluation.floatAccuracy,
        int8Accuracy: report.evaluation.quantizedAccuracy,
        agreement: report.evaluation.agreement,
      };
    } finally {
      q.delete();
    }
  } finally {
    model.delete();
  }
}

/**
 * Static quantization with MSE weight clipping and the report's 4-bit plan
 * applied (budget 0.5 point); returns { bytes, floatAccuracy, accuracy,
 * lowLayers, layers }. The accuracy is the plan's: its last kept step
 * evaluated exactly this model.
 */
export async function quantizeLowBits(ql, root, manifest, entry) {
  const { calibration, evaluation } = bundledData(root, manifest);
  const model = await ql.loadModel(readFileSync(join(root, 'models', entry.file)));
  try {
    const q = await ql.quantizeModel(model, { calibration, samples: 200, weights: { observer: 'mse' } });
    try {
      const plan = q.reportSync({ evaluation, lowBits: { budget: 0.005 } }).lowBits;
      q.setLayerBits(plan.plan);
      return {
        bytes: q.exportOnnx(),
        floatAccuracy: plan.floatAccuracy,
        accuracy: plan.accuracy,
        lowLayers: Object.keys(plan.plan).length,
        layers: q.layers.length,
      };
    } finally {
      q.delete();
    }
  } finally {
    model.delete();
  }
}
