/*
 * mem_sum.c - the memory-bandwidth baseline of bench/stats.sh: map a file
 * read-only and add it up as 64-bit words, the least work a pass over
 * mapped bytes can do.  Prints the sum so that the loop is not optimised
 * away.  Usage: mem_sum FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mem_sum FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 2;
	}
	size_t n = (size_t)st.st_size;
	uint64_t sum = 0;
	if (n > 0) {
		const unsigned char *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			perror(argv[1]);
			return 2;
		}
		madvise((void *)p, n, MADV_SEQUENTIAL);
		/* Four independent sums keep the adds from being one chain. */
		uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		size_t i = 0;
		for (; i + 32 <= n; i += 32) {
			uint64_t w[4];
			memcpy(w, p + i, sizeof w);
			s0 += w[0];
			s1 += w[1];
			s2 += w[2];
			s3 += w[3];
		}
		sum = s0 + s1 + s2 + s3;
		for (; i < n; i++)
			sum += p[i];
	}
	printf("%" PRIu64 "\n", sum);
	return 0;
}
