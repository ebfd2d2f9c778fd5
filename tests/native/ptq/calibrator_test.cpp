// ptq::Calibrator: what it observes, and that a bad batch — refused up front
// (not float32, wrong shape, no input) or failing part-way through the run —
// throws and leaves every observer as it was.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ptq/ptq_test_util.h"
#include "quantlab/error.h"
#include "quantlab/ptq/ptq.h"

namespace quantlab::ptq::test {
namespace {

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// Everything result() returns, compared exactly.
void expect_same_result(const Calibration& a, const Calibration& b) {
  EXPECT_EQ(a.samples, b.samples);
  ASSERT_EQ(a.activations.size(), b.activations.size());
  for (const auto& [name, x] : a.activations) {
    const ActivationParams& y = b.activations.at(name);
    EXPECT_TRUE(same_bits(x.scale, y.scale) && x.zero_point == y.zero_point && same_bits(x.clip_min, y.clip_min) &&
                same_bits(x.clip_max, y.clip_max) && same_bits(x.seen_min, y.seen_min) &&
                same_bits(x.seen_max, y.seen_max))
        << name;
  }
}

/// The observers' histograms and batch counts.
struct ObserverState {
  std::map<std::string, std::vector<std::uint64_t>> counts;
  std::map<std::string, std::uint64_t> batches;
};

ObserverState state_of(const Calibrator& c, const Prepared& p) {
  ObserverState s;
  for (const std::string& v : p.observed) {
    s.counts[v] = c.observer(v).histogram(0).counts();
    s.batches[v] = c.observer(v).batch_count();
  }
  return s;
}

/// Runs the same checks on any prepared model: `good` batches first, then each
/// of `bad`, which must throw and leave result(), samples() and every
/// observer's histogram and batch count exactly as they were.
void expect_bad_batches_change_nothing(const Prepared& p, const std::vector<Tensor>& good,
                                       const std::vector<std::pair<std::string, std::map<std::string, Tensor>>>& bad) {
  Calibrator c(p, Options{});
  EXPECT_THROW((void)c.result(), InvalidArgument);
  std::int64_t samples = 0;
  for (const Tensor& t : good) {
    c.observe({{p.input, t}});
    samples += t.dim(0);
  }
  const Calibration before = c.result();
  const ObserverState state = state_of(c, p);
  EXPECT_EQ(c.samples(), samples);
  EXPECT_EQ(state.batches.at(p.input), good.size());
  for (const auto& [what, feeds] : bad) {
    SCOPED_TRACE(what);
    EXPECT_THROW(c.observe(feeds), Error);
    EXPECT_EQ(c.samples(), samples);
    expect_same_result(c.result(), before);
    const ObserverState after = state_of(c, p);
    EXPECT_EQ(after.counts, state.counts);
    EXPECT_EQ(after.batches, state.batches);
  }
}

TEST(PtqCalibrator, a_batch_refused_up_front_throws_and_leaves_the_observers_unchanged) {
  const Prepared p = prepare(conv_pool_fc().model());
  const std::vector<std::pair<std::string, std::map<std::string, Tensor>>> bad = {
      {"int32 input", {{"x", Tensor(DataType::int32, {2, kCin, kSide, kSide})}}},
      {"float64 input", {{"x", Tensor(DataType::float64, {2, kCin, kSide, kSide})}}},
      {"wrong channel count", {{"x", tensor({2, 3, kSide, kSide}, std::vector<float>(2 * 3 * kSide * kSide, 0.5f))}}},
      {"wrong spatial size", {{"x", conv_images(2, 603, 4)}}},
      {"wrong rank", {{"x", tensor({2, kCin * kSide * kSide}, std::vector<float>(2 * kCin * kSide * kSide, 0.5f))}}},
      {"no input 'x'", {{"input", conv_images(2, 604)}}},
  };
  expect_bad_batches_change_nothing(p, {conv_images(6, 601), conv_images(3, 602)}, bad);

  // The messages name what is wrong, and the calibrator keeps working.
  Calibrator c(p, Options{});
  EXPECT_NE(message_of<InvalidArgument>([&] { c.observe(bad[0].second); }).find("float32"), std::string::npos);
  EXPECT_NE(message_of<InvalidArgument>([&] { c.observe(bad[5].second); }).find("'x'"), std::string::npos);
  c.observe({{"x", conv_images(2, 605)}});
  const Calibration first = c.result();
  Tensor wide = conv_images(2, 606);
  wide.data<float>()[0] = 40.0f;
  c.observe({{"x", wide}});
  EXPECT_EQ(c.samples(), 4);
  const Calibration later = c.result();
  EXPECT_EQ(later.activations.at("x").seen_max, 40.0f);
  EXPECT_GT(later.activations.at("x").scale, first.activations.at("x").scale) << "a good batch does change the result";
}

TEST(PtqCalibrator, a_batch_that_fails_part_way_through_the_run_leaves_the_observers_unchanged) {
  // x [N,4] → Gemm → Relu → r (observed), and x → Cast(int64) → Gather(table[5]) → g.
  // An input value outside −5..4 passes the input checks, runs Gemm and Relu
  // (observing x and r into the copies) and then fails in Gather.
  Builder m(13, "partway");
  m.input("x", {4}).output("r").output("g");
  m.node("Gemm", {"x", m.constant("w", {3, 4}, uniform(12, -1, 1, 611)), m.constant("b", {3}, uniform(3, -1, 1, 612))},
         {"h"}, "fc", {int_attr("transB", 1)});
  m.node("Relu", {"h"}, {"r"}, "relu");
  m.node("Cast", {"x"}, {"xi"}, "cast", {int_attr("to", static_cast<std::int64_t>(DataType::int64))});
  m.node("Gather", {m.constant("table", {5}, {1, 2, 3, 4, 5}), "xi"}, {"g"}, "gather");
  const Prepared p = prepare(m.model());
  EXPECT_EQ(p.observed, (std::vector<std::string>{"x", "r"}));
  std::vector<float> v = uniform(8, -1.5f, 1.5f, 613);
  v[6] = 7.0f;  // an index past the table's end
  const Tensor fails = tensor({2, 4}, v);
  // The model does run this far: Gemm and Relu are computed before Gather throws.
  int computed = 0;
  EXPECT_THROW((void)model::Session(p.model).run({{"x", fails}},
                                                  [&](const model::NodeInfo& n, const std::vector<const Tensor*>&) {
                                                    computed += n.op_type == "Relu";
                                                  }),
               Error);
  EXPECT_EQ(computed, 1);
  expect_bad_batches_change_nothing(p, {tensor({5, 4}, uniform(20, -1.5f, 1.5f, 614))}, {{"index out of range", {{"x", fails}}}});
}

TEST(PtqCalibrator, observes_what_prepare_lists_and_chooses_min_max_parameters) {
  const Prepared p = prepare(conv_pool_fc().model());
  EXPECT_EQ(p.observed, (std::vector<std::string>{"x", "r", "y"}));
  Calibrator c(p, Options{});
  Tensor x = conv_images(5, 611);
  x.data<float>()[3] = -3.0f;
  x.data<float>()[7] = 2.5f;
  c.observe({{"x", x}});
  const Calibration cal = c.result();
  EXPECT_EQ(cal.samples, 5);
  const ActivationParams& a = cal.activations.at("x");
  EXPECT_EQ(a.seen_min, -3.0f);
  EXPECT_EQ(a.seen_max, 2.5f);
  EXPECT_EQ(a.clip_min, -3.0f);
  EXPECT_EQ(a.clip_max, 2.5f);
  // Asymmetric int8 (Q5, Q6): s = (max − min) / 255, z = qmin − round(min / s).
  const float s = (2.5f - -3.0f) / 255.0f;
  EXPECT_EQ(a.scale, s);
  EXPECT_EQ(a.zero_point, -128 - static_cast<int>(std::nearbyint(-3.0f / s)));
  // Relu's output: never negative, so the zero point is the lowest code.
  EXPECT_EQ(cal.activations.at("r").seen_min, 0.0f);
  EXPECT_EQ(cal.activations.at("r").zero_point, -128);
  EXPECT_THROW((void)c.observer("p"), InvalidArgument) << "MaxPool's output has no observer of its own";
  EXPECT_NO_THROW((void)c.observer("r"));
}

TEST(PtqCalibrator, invalid_options_are_refused_when_built) {
  const Prepared p = prepare(conv_pool_fc().model());
  Options o;
  o.activations.observer = calib::ObserverKind::percentile;
  o.activations.percentile = 120;
  EXPECT_THROW(Calibrator(p, o), InvalidArgument);
  Options bits;
  bits.weights.bits = 1;
  EXPECT_THROW(Calibrator(p, bits), InvalidArgument);
}

}  // namespace
}  // namespace quantlab::ptq::test
