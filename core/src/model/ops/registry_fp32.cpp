// The fp32 op table: every float (and shape/int64) op of the ONNX domain,
// one add_* function per family file of this folder (op_utils.h).
#include "model/ops/op.h"
#include "model/ops/op_utils.h"

namespace quantlab::model {

void add_fp32_ops(std::vector<OpDef>& ops) {
  ops::add_conv_ops(ops);
  ops::add_conv_transpose_ops(ops);
  ops::add_gemm_matmul_ops(ops);
  ops::add_elementwise_ops(ops);
  ops::add_activation_ops(ops);
  ops::add_pool_ops(ops);
  ops::add_normalization_ops(ops);
  ops::add_shape_ops(ops);
  ops::add_softmax_ops(ops);
}

}  // namespace quantlab::model
