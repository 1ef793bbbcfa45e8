/*
 * The built-in matmul kernel's loop in C, for `npm run bench`
 * (bench/compute-kernel.js): reads A then B in the WGT matrix format from
 * argv[1], multiplies `rounds` times (argv[3]) with the same i-k-j loop and
 * the same order of sums as kernels/matmul.wat and matmul.ts, writes the
 * product in the WGT format to argv[2], and prints the milliseconds of each
 * multiply as a JSON array. Built with -ffp-contract=off so the compiler
 * does not fuse a*b+c into an FMA: the same arithmetic, so the same bits.
 * Only the bench feeds it (its own files); checks are minimal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double *read_matrix (FILE *f, uint32_t *rows, uint32_t *cols) {
  unsigned char h[16];
  if (fread(h, 1, 16, f) != 16 || memcmp(h, "WGTM\x01\0\0\0", 8) != 0) return NULL;
  memcpy(rows, h + 8, 4); /* little-endian hosts only, like the bench machine */
  memcpy(cols, h + 12, 4);
  if (*rows < 1 || *rows > 4096 || *cols < 1 || *cols > 4096) return NULL;
  size_t n = (size_t)*rows * *cols;
  double *d = malloc(n * sizeof(double));
  if (d == NULL || fread(d, sizeof(double), n, f) != n) return NULL;
  return d;
}

static double now_ms (void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main (int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: matmul IN OUT ROUNDS\n"); return 2; }
  FILE *in = fopen(argv[1], "rb");
  if (in == NULL) { perror(argv[1]); return 1; }
  uint32_t r, k, k2, c;
  double *a = read_matrix(in, &r, &k);
  double *b = read_matrix(in, &k2, &c);
  fclose(in);
  if (a == NULL || b == NULL || k != k2) { fprintf(stderr, "bad input\n"); return 1; }
  double *out = malloc((size_t)r * c * sizeof(double));
  int rounds = atoi(argv[3]);
  printf("[");
  for (int round = 0; round < rounds; round++) {
    double t0 = now_ms();
    memset(out, 0, (size_t)r * c * sizeof(double));
    for (uint32_t i = 0; i < r; i++) {
      double *row = out + (size_t)i * c;
      for (uint32_t p = 0; p < k; p++) {
        const double x = a[(size_t)i * k + p];
        const double *brow = b + (size_t)p * c;
        for (uint32_t j = 0; j < c; j++) row[j] += x * brow[j];
      }
    }
    printf("%s%.4f", round > 0 ? "," : "", now_ms() - t0);
  }
  printf("]\n");
  FILE *o = fopen(argv[2], "wb");
  if (o == NULL) { perror(argv[2]); return 1; }
  unsigned char h[16] = { 'W', 'G', 'T', 'M', 1, 0, 0, 0 };
  memcpy(h + 8, &r, 4);
  memcpy(h + 12, &c, 4);
  fwrite(h, 1, 16, o);
  fwrite(out, sizeof(double), (size_t)r * c, o);
  fclose(o);
  return 0;
}
