#pragma once
// Test support for the CUDA event timer: enqueues a host function that sleeps
// on a stream, so the stream is busy for a known time (no kernel needed).

namespace dnnroof::testing {

// Enqueues a sleep of `seconds` on `stream` (cudaStream_t; nullptr: default)
// with cudaLaunchHostFunc; returns false when CUDA refused.
bool enqueue_host_sleep(void* stream, double seconds);
// Creates a non-default stream; nullptr when CUDA refused.
void* create_stream();
void destroy_stream(void* stream);

}  // namespace dnnroof::testing
