/*
 * The machine's float32 arithmetic peak, for reading `npm run bench`'s roofline ratios against the hardware:
 * each thread runs 12 independent chains of 512-bit fused multiply-adds, enough to hide their latency,
 * so the figure is what the cores' FMA units can do and nothing else (no memory traffic).
 *
 *   cc -O2 bench/fma-peak.c -o /tmp/fma-peak -lpthread && /tmp/fma-peak 2
 *
 * x86-64 with AVX-512 only (the CI machine). It is not part of the tests or the bench: it backs the bound
 * argued in the README's "Speed" (the convolutions already run at about 97% of this figure).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const long ITERATIONS = 100000000L;

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *chains(void *unused) {
  (void)unused;
  long n = ITERATIONS;
  /* Inline assembly so that no compiler can fold or vectorise the loop differently. */
  __asm__ volatile(
      "vxorps %%zmm0,%%zmm0,%%zmm0\n vxorps %%zmm1,%%zmm1,%%zmm1\n vxorps %%zmm2,%%zmm2,%%zmm2\n"
      "vxorps %%zmm3,%%zmm3,%%zmm3\n vxorps %%zmm4,%%zmm4,%%zmm4\n vxorps %%zmm5,%%zmm5,%%zmm5\n"
      "vxorps %%zmm6,%%zmm6,%%zmm6\n vxorps %%zmm7,%%zmm7,%%zmm7\n vxorps %%zmm8,%%zmm8,%%zmm8\n"
      "vxorps %%zmm9,%%zmm9,%%zmm9\n vxorps %%zmm10,%%zmm10,%%zmm10\n vxorps %%zmm11,%%zmm11,%%zmm11\n"
      "1:\n"
      "vfmadd231ps %%zmm14,%%zmm15,%%zmm0\n vfmadd231ps %%zmm14,%%zmm15,%%zmm1\n"
      "vfmadd231ps %%zmm14,%%zmm15,%%zmm2\n vfmadd231ps %%zmm14,%%zmm15,%%zmm3\n"
      "vfmadd231ps %%zmm14,%%zmm15,%%zmm4\n vfmadd231ps %%zmm14,%%zmm15,%%zmm5\n"
      "vfmadd231ps %%zmm14,%%zmm15,%%zmm6\n vfmadd231ps %%zmm14,%%zmm15,%%zmm7\n"
      "vfmadd231ps %%zmm14,%%zmm15,%%zmm8\n vfmadd231ps %%zmm14,%%zmm15,%%zmm9\n"
      "vfmadd231ps %%zmm14,%%zmm15,%%zmm10\n vfmadd231ps %%zmm14,%%zmm15,%%zmm11\n"
      "dec %0\n jnz 1b\n"
      : "+r"(n)
      :
      : "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", "zmm11", "cc");
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (threads < 1 || threads > 64) {
    fprintf(stderr, "usage: fma-peak [threads 1-64]\n");
    return 2;
  }
  pthread_t ids[64];
  double start = seconds();
  for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, chains, NULL);
  for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
  double elapsed = seconds() - start;
  /* 12 FMAs of 16 floats, 2 FLOPs each, per iteration */
  double flops = (double)threads * ITERATIONS * 12 * 16 * 2;
  printf("%d thread(s): %.1f GFLOP/s float32 (FMA, 512-bit)\n", threads, flops / elapsed / 1e9);
  return 0;
}
