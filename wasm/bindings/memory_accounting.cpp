// Counts the bytes held by C++ allocations in the wasm module, so tests can
// prove that error paths and .delete() free everything. Emscripten 3.1.6's
// dlmalloc is built without mallinfo(), hence this replacement of the global
// operator new/delete (the standard allows exactly this).
#include <malloc.h>

#include <cstdlib>
#include <new>

namespace quantlab::wasm {

static std::size_t g_bytes_in_use = 0;

std::size_t bytes_in_use() { return g_bytes_in_use; }

}  // namespace quantlab::wasm

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  quantlab::wasm::g_bytes_in_use += malloc_usable_size(p);
  return p;
}

void* operator new[](std::size_t size) { return ::operator new(size); }

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  quantlab::wasm::g_bytes_in_use -= malloc_usable_size(p);
  std::free(p);
}

void operator delete[](void* p) noexcept { ::operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete(p); }
