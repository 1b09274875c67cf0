// Signal transforms (arcsinh, log1p) and their inverses, see epibook/prep.h. They run
// at input resolution before re-binning, so a dataset's targets are on the model's scale.
#include <cmath>
#include <string>

#include "epibook/prep.h"

namespace epibook {
namespace {

// NaN passes through every libm function used here, so "no data" stays "no data".
template <typename Function>
void map_in_place(std::span<float> values, Function function) {
  for (float& v : values) v = static_cast<float>(function(static_cast<double>(v)));
}

}  // namespace

void arcsinh_in_place(std::span<float> values) { map_in_place(values, [](double x) { return std::asinh(x); }); }
void sinh_in_place(std::span<float> values) { map_in_place(values, [](double x) { return std::sinh(x); }); }
void log1p_in_place(std::span<float> values) { map_in_place(values, [](double x) { return std::log1p(x); }); }
void expm1_in_place(std::span<float> values) { map_in_place(values, [](double x) { return std::expm1(x); }); }

Result<SignalTransform> parse_signal_transform(std::string_view name) {
  if (name == "none") return SignalTransform::kNone;
  if (name == "arcsinh" || name == "asinh") return SignalTransform::kArcsinh;
  if (name == "log1p") return SignalTransform::kLog1p;
  return invalid_argument("transform '" + std::string(name) + "': expected none, arcsinh or log1p");
}

const char* signal_transform_name(SignalTransform transform) {
  switch (transform) {
    case SignalTransform::kNone: return "none";
    case SignalTransform::kArcsinh: return "arcsinh";
    case SignalTransform::kLog1p: return "log1p";
  }
  return "none";
}

void apply_transform(SignalTransform transform, std::span<float> values) {
  switch (transform) {
    case SignalTransform::kNone: return;
    case SignalTransform::kArcsinh: arcsinh_in_place(values); return;
    case SignalTransform::kLog1p: log1p_in_place(values); return;
  }
}

void invert_transform(SignalTransform transform, std::span<float> values) {
  switch (transform) {
    case SignalTransform::kNone: return;
    case SignalTransform::kArcsinh: sinh_in_place(values); return;
    case SignalTransform::kLog1p: expm1_in_place(values); return;
  }
}

double transform_value(SignalTransform transform, double value) {
  switch (transform) {
    case SignalTransform::kNone: return value;
    case SignalTransform::kArcsinh: return std::asinh(value);
    case SignalTransform::kLog1p: return std::log1p(value);
  }
  return value;
}

double invert_transform_value(SignalTransform transform, double value) {
  switch (transform) {
    case SignalTransform::kNone: return value;
    case SignalTransform::kArcsinh: return std::sinh(value);
    case SignalTransform::kLog1p: return std::expm1(value);
  }
  return value;
}

}  // namespace epibook
