// NumPy .npy files for the CLI: float32 / float64 arrays in, codes and floats out.
#pragma once

#include <cstdint>
#include <string>
#include <xtensor/xarray.hpp>

#include "quantlab/model/tensor.h"

namespace quantlab::cli {

/// @brief Reads a .npy file holding little-endian float32 ('<f4') or float64
/// ('<f8') values, C or Fortran order, as float32 (float64 is rounded; values
/// beyond float32 become ±Inf). The header is checked and the data size compared
/// with the file before anything is allocated; every problem — a missing file,
/// another dtype, a truncated or malformed file — throws InvalidArgument naming
/// the file.
xt::xarray<float> read_npy_float(const std::string& path);

/// @brief Writes float32 values ('<f4', C order). InvalidArgument if the file cannot be written.
void write_npy_float(const std::string& path, const xt::xarray<float>& x);

/// @brief Writes integer codes in the narrowest NumPy dtype that holds
/// [qmin, qmax]: uint8 / int8, uint16 / int16, else int32. Returns the dtype's
/// NumPy name ("int8", ...). InvalidArgument if the file cannot be written.
std::string write_npy_codes(const std::string& path, const xt::xarray<std::int32_t>& q, int qmin, int qmax);

/// @brief Reads a .npy file of any little-endian number type (float32/64/16,
/// int8..64, uint8..64, bool; C order) as a model tensor, checked like read_npy_float.
model::Tensor read_npy_tensor(const std::string& path);

/// @brief Writes a model tensor as .npy (C order).
void write_npy_tensor(const std::string& path, const model::Tensor& t);

}  // namespace quantlab::cli
