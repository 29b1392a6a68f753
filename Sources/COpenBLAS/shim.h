#include <cblas.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/// Runs cpuid for `leaf`/`subleaf` into regs (eax, ebx, ecx, edx). Returns 0, with regs zeroed, when the
/// processor does not have that leaf (or is not x86).
static inline int codeintel_cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
  regs[0] = regs[1] = regs[2] = regs[3] = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (__get_cpuid_max(leaf & 0x80000000u, 0) < leaf) return 0;
  __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
  return 1;
#else
  return 0;
#endif
}

/// XCR0: which register states the operating system saves (bits 1-2 SSE/AVX, 5-7 AVX-512). Only call it
/// when cpuid leaf 1 reports OSXSAVE (ecx bit 27).
static inline uint64_t codeintel_xgetbv0(void) {
#if defined(__x86_64__) || defined(__i386__)
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
#else
  return 0;
#endif
}
