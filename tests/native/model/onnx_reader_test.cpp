// The ONNX reader: files written by the onnx Python package read as that
// package describes them (every tensor type, raw and typed fields, symbolic
// dims, every attribute kind, external data); packed and unpacked encodings;
// and hostile input — truncated or mutated bytes, wrong magic, overflowing or
// lying sizes, escaping external-data paths — ending in a clear error, never
// a crash. Natively, also every model and tensor of Debian's ONNX backend
// test data (libonnx-testdata) reads, and writes back to an equal model.
#include "quantlab/model/onnx.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "model/onnx_describe.h"
#include "model/onnx_fixtures.h"
#include "model/onnx_proto_builder.h"
#include "model/onnx_test_util.h"
#include "quantlab/error.h"

#ifndef __EMSCRIPTEN__
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#endif

namespace quantlab::model {
namespace {

using test::describe;
using test::differences;
using test::error_of;
using test::json;
using test::Proto;

Model read(const Proto& p, const ExternalDataResolver& resolver = {}) {
  return read_onnx(p.bytes.data(), p.bytes.size(), resolver);
}
Model read(const std::vector<std::uint8_t>& b) { return read_onnx(b.data(), b.size()); }

const json& expected_files() {
  static const json files = json::parse(fixtures::kExpectedJson)["files"];
  return files;
}

const std::vector<std::uint8_t>& embedded(const std::string& name) {
  for (const auto& f : fixtures::kFiles)
    if (f.name == name) return f.bytes;
  throw std::runtime_error("no embedded fixture " + name);
}

std::vector<std::uint8_t> le_bytes(const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  return std::vector<std::uint8_t>(b, b + n);
}

// The little-endian bytes of float[4] {1, 2, 3, 4}.
std::vector<std::uint8_t> four_floats() {
  const float v[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  return le_bytes(v, sizeof v);
}

// A model whose only initializer is `tensor`, read back as that initializer.
Tensor initializer_of(const Proto& tensor, const ExternalDataResolver& resolver = {}) {
  const Model m = read(test::model_proto(test::graph_with_initializer(tensor)), resolver);
  if (m.graph.initializers.size() != 1) throw std::runtime_error("expected one initializer");
  return m.graph.initializers.begin()->second;
}

// Checks `m` (or the error reading it) against expected.json's entry for `name`.
template <class ReadFn>
void expect_as_python_says(const std::string& name, ReadFn&& read_fn) {
  SCOPED_TRACE(name);
  const json& e = expected_files().at(name);
  const std::string expect = e["expect"];
  if (expect == "ok") {
    const json actual = describe(read_fn());
    EXPECT_TRUE(actual == e["model"]) << "differences:" << differences(actual, e["model"]);
  } else if (expect == "Unsupported") {
    EXPECT_CONTAINS(error_of<Unsupported>(read_fn), e["message"].get<std::string>());
  } else {
    EXPECT_CONTAINS(error_of<InvalidArgument>(read_fn), e["message"].get<std::string>());
  }
}

// ============================================================================
// Files written by python onnx
// ============================================================================

TEST(OnnxFixtures, embedded_files_read_as_python_describes_them) {
  ASSERT_GE(fixtures::kFiles.size(), 6u);
  for (const auto& f : fixtures::kFiles)
    expect_as_python_says(f.name, [&] { return read_onnx(f.bytes.data(), f.bytes.size()); });
}

TEST(OnnxFixtures, every_type_in_raw_data_equals_the_same_type_in_its_typed_field) {
  const Model m = read(embedded("tensor_types.onnx"));
  int pairs = 0;
  for (const auto& [name, t] : m.graph.initializers) {
    if (name.rfind("raw_", 0) != 0) continue;
    const Tensor& typed = m.graph.initializers.at("typed_" + name.substr(4));
    EXPECT_EQ(describe(t), describe(typed)) << name;
    ++pairs;
  }
  EXPECT_EQ(pairs, 13);  // every DataType but undefined and string
}

TEST(OnnxFixtures, tensor_values_are_the_ones_written) {
  const Model m = read(embedded("tensor_types.onnx"));
  const auto& init = m.graph.initializers;
  EXPECT_EQ(init.at("typed_int8").to_int64(), (std::vector<std::int64_t>{-128, -1, 0, 1, 2, 127}));
  EXPECT_EQ(init.at("typed_int64").to_int64(),
            (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), -1, 0, 1, std::int64_t{1} << 32,
                                       std::numeric_limits<std::int64_t>::max()}));
  EXPECT_EQ(init.at("typed_uint64").data<std::uint64_t>()[3], std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(init.at("typed_bool").to_int64(), (std::vector<std::int64_t>{1, 0, 1, 1, 0, 0}));
  EXPECT_EQ(init.at("typed_float16").data<std::uint16_t>()[2], 0x3c00);  // 1.0
  EXPECT_EQ(init.at("typed_bfloat16").data<std::uint16_t>()[2], 0x3f80);  // 1.0
  EXPECT_EQ(init.at("scalar_float").rank(), 0u);
  EXPECT_EQ(init.at("scalar_float").data<float>()[0], 42.5f);
  EXPECT_EQ(init.at("empty_raw_float").shape(), (std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(init.at("empty_no_data_int64").size(), 0);
}

TEST(OnnxFixtures, graph_features_symbolic_dims_attributes_and_opsets) {
  const Model m = read(embedded("graph_features.onnx"));
  EXPECT_EQ(m.opset(), 13);
  EXPECT_EQ(m.opset("ai.onnx.ml"), 2);
  EXPECT_EQ(m.opset("quantlab.test"), 1);
  ASSERT_EQ(m.graph.inputs.size(), 3u);
  const ValueInfo& x = m.graph.inputs[0];
  ASSERT_EQ(x.dims.size(), 4u);
  EXPECT_EQ(x.dims[0].param, "batch");
  EXPECT_EQ(x.dims[1].value, 3);
  EXPECT_EQ(x.dims[3].value, -1);
  EXPECT_TRUE(x.dims[3].param.empty());
  EXPECT_TRUE(m.graph.inputs[1].has_shape);  // a scalar: rank 0 is known
  EXPECT_TRUE(m.graph.inputs[1].dims.empty());
  EXPECT_FALSE(m.graph.value_info[1].has_shape);  // rank unknown
  const Node& conv = m.graph.nodes[0];
  EXPECT_EQ(conv.get_ints("pads"), (std::vector<std::int64_t>{1, 1, 1, 1}));
  const Node& all = m.graph.nodes[1];
  EXPECT_EQ(all.get_float("f", 0), 0.25f);
  EXPECT_EQ(all.get_int("i", 0), -7);
  EXPECT_EQ(all.get_int("big_int", 0), std::int64_t{1} << 62);
  EXPECT_EQ(all.get_string("s", ""), "hello");
  EXPECT_EQ(all.find("g")->kind, Attribute::Kind::graph);
  EXPECT_EQ(all.find("graphs")->kind, Attribute::Kind::graphs);
  EXPECT_EQ(all.find("tensors")->kind, Attribute::Kind::tensors);
  EXPECT_EQ(all.find("t")->t.to_int64(), (std::vector<std::int64_t>{-3, 4}));
  EXPECT_EQ(all.get_ints("empty_ints", {9}), std::vector<std::int64_t>{});
  const Node& clip = m.graph.nodes[2];
  EXPECT_EQ(clip.inputs, (std::vector<std::string>{"conv_out", "", "clip_max"}));
  EXPECT_FALSE(clip.has_input(1));
  EXPECT_EQ(m.metadata.size(), 3u);
}

#ifndef __EMSCRIPTEN__
// The wasm test binary has no file system: these read the committed files.

const std::filesystem::path kFixtureDir =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "fixtures" / "onnx";

// A fresh temporary folder, removed with the object.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "quantlab_onnx_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

void write_file(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(OnnxFixtures, every_fixture_file_reads_as_python_describes_it) {
  ASSERT_TRUE(std::filesystem::exists(kFixtureDir / "expected.json")) << kFixtureDir;
  int files = 0;
  for (const auto& [name, e] : expected_files().items()) {
    expect_as_python_says(name, [&] { return read_onnx_file((kFixtureDir / name).string()); });
    ++files;
  }
  EXPECT_GE(files, 9);
}

TEST(OnnxFixtures, external_data_comes_from_the_side_file) {
  const Model m = read_onnx_file((kFixtureDir / "external_data.onnx").string());
  EXPECT_EQ(m.graph.initializers.at("ext_int64").to_int64(), (std::vector<std::int64_t>{-1, 0, std::int64_t{1} << 40}));
  EXPECT_EQ(m.graph.initializers.at("ext_uint8").to_int64(), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
}

TEST(OnnxFixtures, escaping_external_data_is_refused_with_the_file_and_tensor_named) {
  const std::string escape = error_of<InvalidArgument>(
      [] { read_onnx_file((kFixtureDir / "external_escape.onnx").string()); });
  EXPECT_CONTAINS(escape, "external_escape.onnx: initializer 'w': external data '../evil.bin' leaves the model's folder");
  const std::string absolute = error_of<InvalidArgument>(
      [] { read_onnx_file((kFixtureDir / "external_absolute.onnx").string()); });
  EXPECT_CONTAINS(absolute, "initializer 'w': external data '/etc/hostname' is an absolute path");
}

// A model with one float[4] initializer 'w' stored externally at `location`.
std::vector<std::uint8_t> external_model(const std::string& location, const std::string& offset = "0",
                                         const std::string& length = "16") {
  Proto t = test::tensor_proto("w", 1, {4});
  auto entry = [](const std::string& k, const std::string& v) {
    Proto e;
    e.str(1, k).str(2, v);
    return e;
  };
  t.message(13, entry("location", location));
  if (!offset.empty()) t.message(13, entry("offset", offset));
  if (!length.empty()) t.message(13, entry("length", length));
  t.int64(14, 1);
  return test::model_proto(test::graph_with_initializer(t)).bytes;
}

TEST(OnnxExternalData, a_symbolic_link_out_of_the_folder_is_refused) {
  TempDir tmp;
  write_file(tmp.path / "outside.bin", four_floats());
  write_file(tmp.path / "model" / "m.onnx", external_model("link.bin"));
  std::filesystem::create_symlink(tmp.path / "outside.bin", tmp.path / "model" / "link.bin");
  const std::string e = error_of<InvalidArgument>([&] { read_onnx_file((tmp.path / "model" / "m.onnx").string()); });
  EXPECT_CONTAINS(e, "external data 'link.bin' leaves the model's folder (through a symbolic link)");
}

TEST(OnnxExternalData, a_symbolic_link_inside_the_folder_and_dot_dot_that_stays_inside_are_accepted) {
  TempDir tmp;
  write_file(tmp.path / "model" / "data" / "w.bin", four_floats());
  std::filesystem::create_symlink(tmp.path / "model" / "data" / "w.bin", tmp.path / "model" / "alias.bin");
  for (const std::string location : {"alias.bin", "data/../data/w.bin", "./data/w.bin"}) {
    write_file(tmp.path / "model" / "m.onnx", external_model(location));
    const Model m = read_onnx_file((tmp.path / "model" / "m.onnx").string());
    EXPECT_EQ(m.graph.initializers.at("w").to_double(), (std::vector<double>{1, 2, 3, 4})) << location;
  }
}

TEST(OnnxExternalData, missing_files_and_ranges_past_the_end_are_named) {
  TempDir tmp;
  write_file(tmp.path / "w.bin", four_floats());
  const std::string model = (tmp.path / "m.onnx").string();
  write_file(model, external_model("nope.bin"));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_onnx_file(model); }),
                  "initializer 'w': external data 'nope.bin': no such file in the model's folder");
  write_file(model, external_model("w.bin", "8"));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_onnx_file(model); }),
                  "initializer 'w': external data 'w.bin': offset 8 + length 16 is past the end of the file (16 bytes)");
  write_file(model, external_model("w.bin", "17", ""));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_onnx_file(model); }), "offset 17 is past the end of the file");
  // Without a length the tensor runs to the end of the file, which must then fit exactly.
  write_file(model, external_model("w.bin", "4", ""));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_onnx_file(model); }),
                  "initializer 'w': 4 float needs 16 bytes, external data 'w.bin' has 12");
  write_file(model, external_model("w.bin", "", ""));
  EXPECT_EQ(read_onnx_file(model).graph.initializers.at("w").to_double(), (std::vector<double>{1, 2, 3, 4}));
  write_file(model, external_model("."));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_onnx_file(model); }), "leaves the model's folder");
  write_file(model, external_model(""));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_onnx_file(model); }), "empty location");
}

TEST(OnnxExternalData, a_missing_model_file_is_named) {
  EXPECT_CONTAINS(error_of<InvalidArgument>([] { read_onnx_file("/nonexistent/model.onnx"); }),
                  "/nonexistent/model.onnx: no such file");
}
#endif  // __EMSCRIPTEN__

// ============================================================================
// Wire format: magic, truncation, corruption
// ============================================================================

TEST(OnnxWire, other_formats_are_named_instead_of_parsed) {
  const std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(png); }),
            "not an ONNX model (starts with bytes 89 50 4e 47 \u2014 a PNG image?)");
  const std::vector<std::uint8_t> zip = {'P', 'K', 3, 4, 20, 0};
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(zip); }), "a zip archive, such as a PyTorch .pt file?");
  const std::vector<std::uint8_t> npy = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(npy); }), "a NumPy .npy file?");
  const std::vector<std::uint8_t> text = {'i', 'r', '_', 'v', 'e', 'r', 's', 'i', 'o', 'n'};
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(text); }), "a text file?");
  const std::vector<std::uint8_t> odd = {0xff};
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(odd); }), "not an ONNX model (starts with bytes ff)");
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(std::vector<std::uint8_t>{}); }), "empty file: not an ONNX model");
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_tensor_proto(png.data(), png.size()); }),
                  "not a TensorProto (starts with bytes 89 50 4e 47");
}

TEST(OnnxWire, a_truncated_file_names_the_field_and_the_sizes) {
  Proto graph;
  graph.str(2, std::string(1200 - 3, 'g'));  // 1200 bytes with tag and length
  const Proto model = test::model_proto(graph);
  std::vector<std::uint8_t> cut(model.bytes.begin(), model.bytes.begin() + 2 + 3 + 37);  // ir_version, graph tag+len, 37 bytes
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(cut); }),
            "truncated file: field 'graph' of ModelProto needs 1200 bytes, 37 remain");
}

TEST(OnnxWire, every_prefix_of_a_model_is_refused_as_truncated_or_reads) {
  const std::vector<std::uint8_t>& full = embedded("graph_features.onnx");
  int truncated = 0, read_ok = 0;
  for (std::size_t n = 1; n < full.size(); ++n) {
    try {
      read_onnx(full.data(), n);
      ++read_ok;  // cut at a field boundary after the graph
    } catch (const InvalidArgument& e) {
      const std::string m = e.what();
      const bool expected = m.rfind("truncated file: ", 0) == 0 || m == "the model has no graph";
      EXPECT_TRUE(expected) << "prefix " << n << ": " << m;
      ++truncated;
    }
  }
  EXPECT_GT(truncated, static_cast<int>(full.size()) * 9 / 10);
  EXPECT_LE(read_ok, 8);  // only after the graph: opset imports and metadata
}

// Replaces each byte by values that break varints, lengths, tags and wire
// types; every result must read or be refused with a quantlab::Error.
TEST(OnnxWire, mutated_bytes_are_read_or_refused_never_crash) {
#ifdef __EMSCRIPTEN__
  const std::size_t stride = 5;  // exceptions are slow in Emscripten's wasm: every fifth byte
#else
  const std::size_t stride = 1;
#endif
  for (const char* name : {"graph_features.onnx", "tensor_types.onnx"}) {
    std::vector<std::uint8_t> bytes = embedded(name);
    int refused = 0, reads = 0;
    for (std::size_t i = 0; i < bytes.size(); i += stride) {
      const std::uint8_t original = bytes[i];
      for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x80}, std::uint8_t{0x7f},
                                   static_cast<std::uint8_t>(original ^ 0x01), static_cast<std::uint8_t>(original ^ 0x07),
                                   static_cast<std::uint8_t>(original + 0x40)}) {
        bytes[i] = v;
        try {
          read_onnx(bytes.data(), bytes.size());
          ++reads;
        } catch (const Error&) {
          ++refused;
        }
      }
      bytes[i] = original;
    }
    EXPECT_GT(refused, 0) << name;
    EXPECT_GT(reads, 0) << name;
  }
}

TEST(OnnxWire, a_length_past_its_enclosing_message_is_corrupt_not_truncated) {
  Proto node;
  node.tag(3, 2).raw_varint(50).str(4, "Relu");  // name claims 50 bytes, only 6 follow in the node
  Proto graph;
  graph.message(1, node).str(2, std::string(100, 'x'));  // ...but the file goes on
  const std::string e = error_of<InvalidArgument>([&] { read(test::model_proto(graph)); });
  EXPECT_CONTAINS(e, "corrupt file at byte");
  EXPECT_CONTAINS(e, "field 'name' of NodeProto: needs 50 bytes, but its NodeProto ends after 6");
}

TEST(OnnxWire, a_varint_longer_than_64_bits_is_refused) {
  Proto m;
  m.tag(1, 0).raw({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f});  // bit 64+ set
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(m); }),
                  "field 'ir_version' of ModelProto: varint value is longer than 64 bits");
  Proto eleven;
  eleven.tag(1, 0).raw(std::vector<std::uint8_t>(10, 0x80)).raw({0x00});
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(eleven); }), "longer than 64 bits");
}

TEST(OnnxWire, groups_unknown_wire_types_and_field_zero_are_refused) {
  Proto group;
  group.int64(1, 8).tag(30, 3);
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(group); }),
                  "field 30 of ModelProto: uses the group encoding (wire type 3), which ONNX does not use");
  Proto wire7;
  wire7.int64(1, 8).tag(30, 7);
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(wire7); }), "wire type 7 does not exist");
  Proto zero;
  zero.int64(1, 8).tag(0, 0).raw_varint(1);
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(zero); }), "has field number 0");
}

TEST(OnnxWire, a_known_field_with_the_wrong_wire_type_is_corrupt) {
  Proto m;
  m.int64(1, 8).varint(7, 5);  // graph as a varint
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(m); }),
                  "field 'graph' of ModelProto: is a varint, expected length-delimited");
}

TEST(OnnxWire, a_huge_declared_length_is_truncation_not_an_allocation) {
  Proto m;
  m.int64(1, 8).tag(7, 2).raw_varint(std::uint64_t{1} << 62);
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read(m); }),
                  "truncated file: field 'graph' of ModelProto needs 4611686018427387904 bytes, 0 remain");
}

TEST(OnnxWire, unknown_fields_of_every_wire_type_are_skipped_in_every_message) {
  auto junk = [](Proto p) {
    return p.varint(1000, 5).fixed32(1001, 7).fixed64(1002, 9).str(1003, "skip me");
  };
  Proto tensor = junk(test::raw_tensor_proto("w", 6, {1}, {1, 0, 0, 0}));
  Proto attr;
  attr.str(1, "alpha").f32(2, 0.5f).int64(20, 1);
  Proto node;
  node.str(1, "x").str(2, "y").str(4, "LeakyRelu").message(5, junk(attr));
  Proto in = junk(test::tensor_value_info("x", 1, {1, -1}));
  Proto opset;
  opset.int64(2, 13);
  Proto graph;
  graph.message(1, junk(node)).message(5, tensor).message(11, in);
  Proto model;
  model.int64(1, 8).message(7, junk(graph)).message(8, junk(opset));
  const Model m = read(junk(model));
  EXPECT_EQ(m.graph.initializers.at("w").to_int64(), std::vector<std::int64_t>{1});
  EXPECT_EQ(m.graph.nodes.at(0).get_float("alpha", 0), 0.5f);
  EXPECT_EQ(m.graph.inputs.at(0).dims.at(1).value, -1);
  EXPECT_EQ(m.opset(), 13);
}

TEST(OnnxWire, a_model_without_a_graph_is_refused_and_two_graph_fields_merge) {
  Proto m;
  m.int64(1, 8).str(2, "producer");
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(m); }), "the model has no graph");
  Proto g1;
  g1.str(2, "first").message(5, test::raw_tensor_proto("a", 2, {1}, {7}));
  Proto g2;
  g2.message(5, test::raw_tensor_proto("b", 2, {1}, {9}));
  Proto two;
  two.int64(1, 8).message(7, g1).message(7, g2);
  const Model merged = read(two);
  EXPECT_EQ(merged.graph.name, "first");
  EXPECT_EQ(merged.graph.initializers.size(), 2u);
}

// ============================================================================
// TensorProto
// ============================================================================

TEST(OnnxTensor, typed_fields_packed_and_unpacked_and_mixed) {
  // float_data: one unpacked element, then a packed run, then another element.
  Proto f = test::tensor_proto("f", 1, {4});
  f.f32(4, 1.5f).packed_floats(4, {-2.0f, 0.25f}).f32(4, 8.0f);
  EXPECT_EQ(initializer_of(f).to_double(), (std::vector<double>{1.5, -2.0, 0.25, 8.0}));
  // int32_data for int32: unpacked negative (10-byte varint) and packed.
  Proto i = test::tensor_proto("i", 6, {3});
  i.int64(5, -5).packed_varints(5, {7, -2147483648LL});
  EXPECT_EQ(initializer_of(i).to_int64(), (std::vector<std::int64_t>{-5, 7, -2147483648LL}));
  Proto l = test::tensor_proto("l", 7, {2});
  l.int64(7, std::numeric_limits<std::int64_t>::min()).int64(7, 3);
  EXPECT_EQ(initializer_of(l).to_int64(), (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 3}));
  Proto d = test::tensor_proto("d", 11, {3});
  d.f64(10, 0.1).packed_doubles(10, {-1e300, 2.5});
  EXPECT_EQ(initializer_of(d).to_double(), (std::vector<double>{0.1, -1e300, 2.5}));
  Proto u = test::tensor_proto("u", 13, {2});
  u.varint(11, std::numeric_limits<std::uint64_t>::max()).packed_varints(11, {42});
  const Tensor ut = initializer_of(u);
  EXPECT_EQ(ut.data<std::uint64_t>()[0], std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(ut.data<std::uint64_t>()[1], 42u);
  Proto u32 = test::tensor_proto("u32", 12, {1});
  u32.varint(11, 0xffffffffu);
  EXPECT_EQ(initializer_of(u32).data<std::uint32_t>()[0], 0xffffffffu);
}

TEST(OnnxTensor, int32_data_keeps_the_low_bits_of_narrow_types) {
  Proto h = test::tensor_proto("h", 10, {2});
  h.packed_varints(5, {0x3c00, 0xfc00});  // float16 1.0, -inf
  EXPECT_EQ(initializer_of(h).data<std::uint16_t>()[1], 0xfc00);
  Proto bf = test::tensor_proto("bf", 16, {1});
  bf.int64(5, 0xbf80);  // bfloat16 -1.0
  EXPECT_EQ(initializer_of(bf).data<std::uint16_t>()[0], 0xbf80);
  Proto i8 = test::tensor_proto("i8", 3, {2});
  i8.int64(5, -1).int64(5, -128);
  EXPECT_EQ(initializer_of(i8).to_int64(), (std::vector<std::int64_t>{-1, -128}));
  Proto u16 = test::tensor_proto("u16", 4, {1});
  u16.int64(5, 65535);
  EXPECT_EQ(initializer_of(u16).to_int64(), std::vector<std::int64_t>{65535});
  Proto b = test::tensor_proto("b", 9, {3});
  b.packed_varints(5, {0, 1, 2});  // any nonzero is true, stored as 1
  EXPECT_EQ(initializer_of(b).to_int64(), (std::vector<std::int64_t>{0, 1, 1}));
}

TEST(OnnxTensor, int4_and_uint4_pack_two_values_per_byte_low_nibble_first) {
  // -8, 7 | 1, -1 | 0 and padding: 0x78, 0xF1, 0x00.
  const Proto raw4 = test::raw_tensor_proto("w", 22, {5}, {0x78, 0xF1, 0x00});
  const Tensor w = initializer_of(raw4);
  EXPECT_EQ(w.type(), DataType::int4);
  EXPECT_EQ(w.to_int64(), (std::vector<std::int64_t>{-8, 7, 1, -1, 0}));
  EXPECT_EQ(w.data<std::int8_t>()[3], -1) << "sign-extended, so int8 views read the value";
  EXPECT_EQ(w.packed_byte_size(), 3u);
  EXPECT_EQ(initializer_of(test::raw_tensor_proto("u", 21, {3}, {0x21, 0x0F})).to_int64(),
            (std::vector<std::int64_t>{1, 2, 15}));
  Proto typed = test::tensor_proto("w", 22, {3});
  typed.packed_varints(5, {0x78, 0x01});  // int32_data: one packed byte per entry
  EXPECT_EQ(initializer_of(typed).to_int64(), (std::vector<std::int64_t>{-8, 7, 1}));
  EXPECT_EQ(error_of<InvalidArgument>([] { initializer_of(test::raw_tensor_proto("w", 22, {5}, {0x78, 0xF1})); }),
            "initializer 'w': 5 int4 needs 3 bytes of raw_data, 2 given");
  Proto unpacked = test::tensor_proto("w", 21, {3});
  unpacked.packed_varints(5, {1, 2, 3});
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(unpacked); }),
            "initializer 'w': 3 uint4 needs 2 packed bytes in int32_data, 3 given");
}

TEST(OnnxTensor, raw_data_shorter_or_longer_than_the_shape_is_named) {
  const Proto short_raw = test::raw_tensor_proto("conv1.weight", 1, {3, 3}, std::vector<std::uint8_t>(20));
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(short_raw); }),
            "initializer 'conv1.weight': 3\u00d73 float needs 36 bytes of raw_data, 20 given");
  const Proto long_raw = test::raw_tensor_proto("b", 7, {2}, std::vector<std::uint8_t>(17));
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(long_raw); }),
            "initializer 'b': 2 int64 needs 16 bytes of raw_data, 17 given");
}

TEST(OnnxTensor, typed_value_counts_must_match_the_shape) {
  Proto f = test::tensor_proto("w", 1, {3, 3});
  f.packed_floats(4, {1, 2, 3, 4});
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(f); }),
            "initializer 'w': 3\u00d73 float needs 9 values in float_data, 4 given");
  Proto none = test::tensor_proto("w", 6, {2});
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(none); }),
            "initializer 'w': 2 int32 has no data (no raw_data, int32_data or external data)");
  EXPECT_EQ(initializer_of(test::tensor_proto("e", 6, {0, 5})).size(), 0);  // no data needed
}

TEST(OnnxTensor, huge_shapes_are_refused_before_allocating) {
  // 2^38 × 4 floats would be 4 TiB: refused by comparing with the 20 bytes present.
  const Proto lying = test::raw_tensor_proto("w", 1, {std::int64_t{1} << 38, 4}, std::vector<std::uint8_t>(20));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(lying); }),
                  "needs 4398046511104 bytes of raw_data, 20 given");
  Proto typed = test::tensor_proto("w", 7, {std::int64_t{1} << 40});
  typed.packed_varints(7, {1, 2});
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(typed); }), "needs 1099511627776 values in int64_data, 2 given");
  // Products that overflow int64 are caught while multiplying.
  const Proto overflow =
      test::raw_tensor_proto("w", 1, {std::int64_t{1} << 40, std::int64_t{1} << 40, std::int64_t{1} << 40}, {});
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(overflow); }),
                  "initializer 'w': shape 1099511627776\u00d71099511627776\u00d71099511627776 has more than 2^40 elements");
  const Proto negative = test::raw_tensor_proto("w", 1, {2, -3}, {});
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(negative); }), "initializer 'w': shape 2\u00d7? has a negative dimension");
}

TEST(OnnxTensor, types_quantlab_cannot_hold_are_named) {
  EXPECT_EQ(error_of<Unsupported>([] { initializer_of(test::raw_tensor_proto("s", 8, {1}, {})); }),
            "initializer 's': string tensors are not supported");
  EXPECT_EQ(error_of<Unsupported>([] { initializer_of(test::raw_tensor_proto("c", 14, {1}, {})); }),
            "initializer 'c': complex64 tensors are not supported");
  EXPECT_EQ(error_of<Unsupported>([] { initializer_of(test::raw_tensor_proto("f8", 17, {1}, {0})); }),
            "initializer 'f8': float8e4m3fn tensors are not supported");
  EXPECT_EQ(error_of<InvalidArgument>([] { initializer_of(test::raw_tensor_proto("x", 99, {1}, {})); }),
            "initializer 'x': unknown data_type 99");
  EXPECT_EQ(error_of<InvalidArgument>([] { initializer_of(test::raw_tensor_proto("x", 0, {1}, {})); }),
            "initializer 'x': no data_type");
  Proto segment = test::raw_tensor_proto("seg", 1, {1}, {0, 0, 0, 0});
  segment.message(3, Proto().int64(1, 0).int64(2, 1));
  EXPECT_EQ(error_of<Unsupported>([&] { initializer_of(segment); }),
            "initializer 'seg': tensors split into segments are not supported");
}

TEST(OnnxTensor, values_in_the_wrong_field_or_in_two_fields_are_refused) {
  Proto wrong = test::tensor_proto("w", 7, {1});
  wrong.packed_floats(4, {1.0f});
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(wrong); }),
            "initializer 'w': int64 values belong in int64_data, not float_data");
  Proto both = test::raw_tensor_proto("w", 1, {1}, {0, 0, 0, 0});
  both.packed_floats(4, {1.0f});
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(both); }), "initializer 'w': has both raw_data and float_data");
  Proto strings = test::tensor_proto("w", 1, {1});
  strings.str(6, "one");
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(strings); }), "initializer 'w': a float tensor has string_data");
}

TEST(OnnxTensor, broken_packed_runs_are_corrupt) {
  Proto odd = test::tensor_proto("w", 1, {2});
  odd.blob(4, std::vector<std::uint8_t>(7));
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(odd); }),
                  "field 'float_data' of TensorProto: a packed run of 7 bytes is not a whole number of fixed32 values");
  Proto cut = test::tensor_proto("w", 7, {1});
  cut.blob(7, {0x81});
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(cut); }), "a packed run ends inside a varint");
  Proto dims;
  dims.blob(1, {0xff}).int64(2, 1);
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { initializer_of(dims); }), "field 'dims' of TensorProto");
}

// ---- external data through a resolver (works without a file system) --------

Proto external_tensor(const std::vector<std::pair<std::string, std::string>>& entries) {
  Proto t = test::tensor_proto("w", 1, {4});
  for (const auto& [k, v] : entries) t.message(13, Proto().str(1, k).str(2, v));
  t.int64(14, 1);
  return t;
}

TEST(OnnxTensor, external_data_comes_through_the_resolver) {
  std::string got_location;
  std::uint64_t got_offset = 0;
  std::int64_t got_length = 0;
  const ExternalDataResolver resolver = [&](const std::string& location, std::uint64_t offset, std::int64_t length) {
    got_location = location;
    got_offset = offset;
    got_length = length;
    return four_floats();
  };
  const Tensor t = initializer_of(external_tensor({{"location", "w.bin"}, {"offset", "4096"}, {"length", "16"}, {"checksum", "x"}}), resolver);
  EXPECT_EQ(t.to_double(), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(got_location, "w.bin");
  EXPECT_EQ(got_offset, 4096u);
  EXPECT_EQ(got_length, 16);
  initializer_of(external_tensor({{"location", "w.bin"}}), resolver);
  EXPECT_EQ(got_length, -1);  // no length: to the end of the file
}

TEST(OnnxTensor, external_data_errors_name_the_tensor) {
  int calls = 0;
  const ExternalDataResolver counting = [&](const std::string&, std::uint64_t, std::int64_t) {
    ++calls;
    return std::vector<std::uint8_t>(12);
  };
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(external_tensor({{"location", "w.bin"}})); }),
            "initializer 'w': its data is in the external file 'w.bin', but the model was read from memory without a "
            "resolver (use read_onnx_file)");
  // A declared length that disagrees with the shape is refused before reading.
  EXPECT_EQ(error_of<InvalidArgument>(
                [&] { initializer_of(external_tensor({{"location", "w.bin"}, {"length", "1000000000000"}}), counting); }),
            "initializer 'w': 4 float needs 16 bytes, external data 'w.bin' declares length 1000000000000");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(external_tensor({{"location", "w.bin"}}), counting); }),
            "initializer 'w': 4 float needs 16 bytes, external data 'w.bin' has 12");
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(external_tensor({{"offset", "0"}}), counting); }),
            "initializer 'w': external data without a 'location'");
  EXPECT_EQ(error_of<InvalidArgument>(
                [&] { initializer_of(external_tensor({{"location", "w.bin"}, {"offset", "-1"}}), counting); }),
            "initializer 'w': external data offset '-1' is not a number");
  EXPECT_EQ(error_of<InvalidArgument>([&] {
              initializer_of(external_tensor({{"location", "w.bin"}, {"length", "1234567890123456789"}}), counting);
            }),
            "initializer 'w': external data length '1234567890123456789' is not a number below 10^18");
  const ExternalDataResolver failing = [](const std::string&, std::uint64_t, std::int64_t) -> std::vector<std::uint8_t> {
    throw InvalidArgument("external data 'w.bin' leaves the model's folder");
  };
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(external_tensor({{"location", "w.bin"}}), failing); }),
            "initializer 'w': external data 'w.bin' leaves the model's folder");
  Proto both = external_tensor({{"location", "w.bin"}});
  both.blob(9, std::vector<std::uint8_t>(16));
  EXPECT_EQ(error_of<InvalidArgument>([&] { initializer_of(both, counting); }),
            "initializer 'w': has both raw_data and external data");
}

TEST(OnnxTensor, read_tensor_proto_returns_the_name) {
  const float v[2] = {0.5f, -1.0f};
  const Proto t = test::raw_tensor_proto("input_0", 1, {1, 2}, le_bytes(v, sizeof v));
  std::string name;
  const Tensor out = read_tensor_proto(t.bytes.data(), t.bytes.size(), &name);
  EXPECT_EQ(name, "input_0");
  EXPECT_EQ(out.shape(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(out.to_double(), (std::vector<double>{0.5, -1.0}));
  const Proto bad = test::raw_tensor_proto("input_0", 1, {3}, le_bytes(v, sizeof v));
  EXPECT_EQ(error_of<InvalidArgument>([&] { read_tensor_proto(bad.bytes.data(), bad.bytes.size()); }),
            "tensor 'input_0': 3 float needs 12 bytes of raw_data, 8 given");
  EXPECT_EQ(error_of<InvalidArgument>([&] { read_tensor_proto(nullptr, 0); }), "empty input: not a TensorProto");
}

// ============================================================================
// Attributes, value infos, graphs
// ============================================================================

TEST(OnnxAttributes, kinds_the_ir_cannot_hold_are_unsupported_or_kept_as_markers) {
  Proto sparse;
  sparse.str(1, "sparse_value").message(22, Proto()).int64(20, 11);
  EXPECT_EQ(error_of<Unsupported>([&] { read(test::model_proto(test::graph_with_attribute(sparse))); }),
            "Op 'n': attribute 'sparse_value' holds sparse tensors, which are not supported");
  Proto tp;
  tp.str(1, "type").message(14, Proto()).int64(20, 13);
  EXPECT_CONTAINS(error_of<Unsupported>([&] { read(test::model_proto(test::graph_with_attribute(tp))); }),
                  "holds types (TypeProto)");
  Proto unknown;
  unknown.str(1, "x").int64(20, 99);
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(test::model_proto(test::graph_with_attribute(unknown))); }),
            "Op 'n': attribute 'x' has unknown type 99");
  Proto graph;
  graph.str(1, "body").message(6, Proto().str(2, "sub").tag(1, 3)).int64(20, 5);  // its content is never parsed
  EXPECT_EQ(read(test::model_proto(test::graph_with_attribute(graph))).graph.nodes[0].attributes[0].kind,
            Attribute::Kind::graph);
  Proto empty_tensor;
  empty_tensor.str(1, "value").int64(20, 4);
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(test::model_proto(test::graph_with_attribute(empty_tensor))); }),
            "Op 'n': attribute 'value' is a tensor attribute without a tensor");
}

TEST(OnnxAttributes, a_bad_tensor_attribute_names_node_and_attribute) {
  Proto attr;
  attr.str(1, "value").message(5, test::raw_tensor_proto("", 1, {2}, {1, 2, 3})).int64(20, 4);
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(test::model_proto(test::graph_with_attribute(attr))); }),
            "Op 'n': attribute 'value': 2 float needs 8 bytes of raw_data, 3 given");
}

TEST(OnnxAttributes, packed_lists_from_proto3_writers_are_accepted) {
  Proto ints;
  ints.str(1, "pads").packed_varints(8, {0, -1, 1LL << 40}).int64(20, 7);
  EXPECT_EQ(read(test::model_proto(test::graph_with_attribute(ints))).graph.nodes[0].get_ints("pads"),
            (std::vector<std::int64_t>{0, -1, 1LL << 40}));
  Proto floats;
  floats.str(1, "scales").packed_floats(7, {0.5f, 2.0f}).int64(20, 6);
  EXPECT_EQ(read(test::model_proto(test::graph_with_attribute(floats))).graph.nodes[0].get_floats("scales"),
            (std::vector<float>{0.5f, 2.0f}));
}

TEST(OnnxValueInfo, non_tensor_inputs_and_outputs_are_unsupported_and_dropped_from_value_info) {
  auto typed = [](const std::string& name, std::uint32_t type_field) {
    Proto type;
    type.message(type_field, Proto());
    return Proto().str(1, name).message(2, type);
  };
  EXPECT_EQ(error_of<Unsupported>([&] { read(test::model_proto(Proto().message(11, typed("s", 4)))); }),
            "graph input 's' is a sequence; only tensor inputs and outputs are supported");
  EXPECT_EQ(error_of<Unsupported>([&] { read(test::model_proto(Proto().message(12, typed("o", 9)))); }),
            "graph output 'o' is an optional; only tensor inputs and outputs are supported");
  const Model m = read(test::model_proto(Proto().message(13, typed("m", 5)).message(13, test::tensor_value_info("t", 1, {2}))));
  ASSERT_EQ(m.graph.value_info.size(), 1u);
  EXPECT_EQ(m.graph.value_info[0].name, "t");
  EXPECT_EQ(error_of<Unsupported>([&] { read(test::model_proto(Proto().message(11, test::tensor_value_info("c", 14, {1})))); }),
            "graph input 'c' is a complex64 tensor; that type is not supported");
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(test::model_proto(Proto().message(11, test::tensor_value_info("c", 77, {1})))); }),
            "graph input 'c': unknown element type 77");
}

TEST(OnnxValueInfo, missing_types_negative_dims_and_scalars) {
  Proto dim_neg;
  dim_neg.int64(1, -1);
  Proto shape;
  shape.message(1, dim_neg).message(1, Proto().str(2, "n")).message(1, Proto().int64(1, 5));
  Proto tt;
  tt.int64(1, 7).message(2, shape);
  Proto g;
  g.message(11, Proto().str(1, "untyped"))
      .message(11, Proto().str(1, "dims").message(2, Proto().message(1, tt)))
      .message(11, test::tensor_value_info("scalar", 1, {}));
  const Model m = read(test::model_proto(g));
  EXPECT_EQ(m.graph.inputs[0].type, DataType::undefined);
  EXPECT_FALSE(m.graph.inputs[0].has_shape);
  const ValueInfo& d = m.graph.inputs[1];
  EXPECT_EQ(d.type, DataType::int64);
  ASSERT_EQ(d.dims.size(), 3u);
  EXPECT_EQ(d.dims[0].value, -1);  // a negative dim_value means unknown
  EXPECT_EQ(d.dims[1].param, "n");
  EXPECT_EQ(d.dims[2].value, 5);
  EXPECT_TRUE(m.graph.inputs[2].has_shape);
  EXPECT_TRUE(m.graph.inputs[2].dims.empty());
}

TEST(OnnxGraph, initializers_need_unique_names_and_no_sparse_ones) {
  Proto dup;
  dup.message(5, test::raw_tensor_proto("w", 2, {1}, {1})).message(5, test::raw_tensor_proto("w", 2, {1}, {2}));
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(test::model_proto(dup)); }), "two initializers are named 'w'");
  Proto unnamed;
  unnamed.message(5, test::raw_tensor_proto("", 2, {1}, {1}));
  EXPECT_EQ(error_of<InvalidArgument>([&] { read(test::model_proto(unnamed)); }), "initializer #0 has no name");
  Proto sparse;
  sparse.message(15, Proto());
  EXPECT_EQ(error_of<Unsupported>([&] { read(test::model_proto(sparse)); }),
            "the graph has sparse initializers, which are not supported");
}

#ifndef __EMSCRIPTEN__
// ============================================================================
// Debian's libonnx-testdata: the ONNX backend tests' models and tensors
// ============================================================================

// A short reason for an Unsupported, for the summary ("string tensors", ...).
std::string reason_of(const std::string& message) {
  for (const char* key : {"string tensors", "a sequence", "an optional", "a map", "sparse", "TypeProto", "complex",
                          "segments"})
    if (message.find(key) != std::string::npos) return key;
  return message;
}

TEST(OnnxBackendTestData, every_model_and_tensor_reads_and_writes_back_equal) {
  namespace fs = std::filesystem;
  const fs::path root = "/usr/share/libonnx-testdata/data";
  if (!fs::exists(root)) GTEST_SKIP() << root << " is missing (apt-get install libonnx-testdata)";
  int models = 0, models_ok = 0, models_unsupported = 0, rewritten = 0, not_writable = 0;
  int tensors = 0, tensors_ok = 0, tensors_unsupported = 0, tensors_skipped = 0, bfloat16_quirks = 0;
  std::map<std::string, int> reasons;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple", "real"}) {
    if (!fs::exists(root / suite)) continue;
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(root / suite))
      if (fs::exists(entry.path() / "model.onnx")) dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      const std::string model_path = (dir / "model.onnx").string();
      SCOPED_TRACE(model_path);
      ++models;
      Model m;
      bool model_ok = false;
      try {
        m = read_onnx_file(model_path);
        model_ok = true;
        ++models_ok;
      } catch (const Unsupported& e) {
        ++models_unsupported;
        ++reasons["model: " + reason_of(e.what())];
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      if (model_ok) {
        std::vector<std::uint8_t> bytes;
        try {
          bytes = write_onnx(m);
        } catch (const Unsupported&) {
          ++not_writable;  // sub-graph attributes: the reader keeps only their kind
        }
        if (!bytes.empty()) {
          ++rewritten;
          const Model again = read_onnx(bytes.data(), bytes.size());
          const json a = describe(again), b = describe(m);
          EXPECT_TRUE(a == b) << "differences after write_onnx:" << differences(a, b);
          EXPECT_TRUE(write_onnx(again) == bytes) << "write_onnx is not idempotent";
        }
      }
      // Graph inputs that are not initializers, in order: what input_<k>.pb holds.
      std::vector<const ValueInfo*> inputs;
      for (const ValueInfo& v : m.graph.inputs)
        if (!m.graph.initializers.count(v.name)) inputs.push_back(&v);
      for (const auto& set : fs::directory_iterator(dir)) {
        if (!set.is_directory()) continue;
        for (const auto& file : fs::directory_iterator(set.path())) {
          if (file.path().extension() != ".pb") continue;
          ++tensors;
          SCOPED_TRACE(file.path().string());
          std::ifstream in(file.path(), std::ios::binary);
          const std::vector<std::uint8_t> pb((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          std::string name;
          Tensor t;
          try {
            t = read_tensor_proto(pb.data(), pb.size(), &name);
          } catch (const Error& e) {
            // A model refused for a sequence or optional input has such .pb files too.
            if (!model_ok) {
              ++tensors_skipped;
            } else if (dynamic_cast<const Unsupported*>(&e)) {
              ++tensors_unsupported;
              ++reasons["tensor: " + reason_of(e.what())];
            } else {
              ADD_FAILURE() << e.what();
            }
            continue;
          }
          ++tensors_ok;
          // The declared type of the value it feeds or checks.
          const std::string stem = file.path().stem().string();  // input_0, output_1
          const bool is_input = stem.rfind("input_", 0) == 0;
          const std::size_t k = static_cast<std::size_t>(std::stoul(stem.substr(stem.find('_') + 1)));
          const ValueInfo* declared = nullptr;
          if (model_ok && is_input && k < inputs.size()) declared = inputs[k];
          if (model_ok && !is_input && k < m.graph.outputs.size()) declared = &m.graph.outputs[k];
          // onnx 1.12 stored bfloat16 test tensors as uint16 (numpy has no bfloat16).
          const bool bfloat16_as_uint16 =
              declared && declared->type == DataType::bfloat16 && t.type() == DataType::uint16;
          bfloat16_quirks += bfloat16_as_uint16 ? 1 : 0;
          if (declared && declared->type != DataType::undefined && !bfloat16_as_uint16) {
            EXPECT_EQ(t.type(), declared->type) << declared->name;
          }
          const std::vector<std::uint8_t> written = write_tensor_proto(t, name);
          std::string name_again;
          const Tensor again = read_tensor_proto(written.data(), written.size(), &name_again);
          EXPECT_EQ(name_again, name);
          EXPECT_TRUE(describe(again) == describe(t));
        }
      }
    }
  }
  std::cout << "[ libonnx-testdata ] models: " << models << " (" << models_ok << " read, " << models_unsupported
            << " Unsupported; " << rewritten << " written back and re-read equal, " << not_writable
            << " with sub-graphs not writable)\n"
            << "[ libonnx-testdata ] tensors: " << tensors << " (" << tensors_ok << " read, " << tensors_unsupported
            << " Unsupported, " << tensors_skipped << " of Unsupported models; " << bfloat16_quirks
            << " bfloat16 values stored as uint16)\n";
  for (const auto& [reason, n] : reasons) std::cout << "[ libonnx-testdata ]   Unsupported " << reason << ": " << n << "\n";
  EXPECT_GT(models, 1000);
  EXPECT_GT(models_ok, models * 9 / 10);
  EXPECT_GT(tensors_ok, tensors * 9 / 10);
}
#endif  // __EMSCRIPTEN__

}  // namespace
}  // namespace quantlab::model
