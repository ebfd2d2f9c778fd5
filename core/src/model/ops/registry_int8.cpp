// The int8 op table (filled by the op files of this folder).
#include "model/ops/op.h"

namespace quantlab::model {
void add_int8_ops(std::vector<OpDef>&) {}
}  // namespace quantlab::model
