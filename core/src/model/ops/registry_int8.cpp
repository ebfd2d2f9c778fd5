// The int8 op table: quantization (QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear), integer and requantized matrix products and
// convolutions (MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv), and
// Cast / CastLike, and the executor's private fused ops of the QDQ rewrite
// (domain "quantlab": QLinearConvAct, QLinearGemmAct, QLinearAddAct,
// QLinearGlobalAveragePool; model/qdq_fusion.h). Each family lives in its own
// file of this folder.
#include "model/ops/int8_common.h"
#include "model/ops/op.h"

namespace quantlab::model {

void add_int8_ops(std::vector<OpDef>& ops) {
  int8_ops::add_quantize_linear_ops(ops);
  int8_ops::add_integer_gemm_ops(ops);
  int8_ops::add_integer_conv_ops(ops);
  int8_ops::add_cast_ops(ops);
  int8_ops::add_qlinear_gemm_act_ops(ops);
  int8_ops::add_qlinear_add_act_ops(ops);
  int8_ops::add_qlinear_global_average_pool_ops(ops);
}

}  // namespace quantlab::model
