#pragma once
// Turns a CUDA runtime error into dnnroof::Error. Declared without fmt or
// CUDA headers so that nvcc (C++17) compiles the .cu files that call it;
// defined in cuda_error.cc, compiled by the C++ compiler.

namespace dnnroof::detail {

// Throws Error("CUDA event timer: <call> failed: <message>").
[[noreturn]] void throw_cuda_error(const char* call, const char* message);

}  // namespace dnnroof::detail
