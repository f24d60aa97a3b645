/* regress-main.c: main() for a fuzz harness built without libFuzzer.
 *
 * Runs LLVMFuzzerTestOneInput once over every file of the harness's
 * corpus directory (FUZZ_CORPUS, set by tests/fuzz/local.mk), or over the
 * files and directories named on the command line, so that every input a
 * fuzzer ever found stays a regression test in `make check` (as OpenSC
 * does).  A crash or an abort() in the harness fails the test; the file
 * being run is printed first so the culprit is named. */
#include <config.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	fprintf(stderr, "running %s (%zu bytes)\n", path, n);
	/* A private copy of exactly n bytes, so ASan/valgrind catch reads past
	 * the end as libFuzzer would. */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact) {
		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
	}
	free(exact);
	free(buf);
	return exact ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (stable logs). */
static int run_dir(const char *dir, long *count)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *nn);
			if (!nn)
				break;
			names = nn;
		}
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		if (!(names[n] = malloc(len)))
			break;
		snprintf(names[n++], len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			rc = run_file(names[i]);
			++*count;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int run_path(const char *path, long *count)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return run_dir(path, count);
	++*count;
	return run_file(path);
}

int main(int argc, char **argv)
{
	long count = 0;
	int rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1)
		for (int i = 1; i < argc && rc == 0; i++)
			rc = run_path(argv[i], &count);
	else
		rc = run_path(FUZZ_CORPUS, &count);
	if (rc == 0 && count == 0) {
		fprintf(stderr, "%s: no inputs: the corpus is empty\n", argv[0]);
		return 1;
	}
	fprintf(stderr, "%s: %ld inputs, no crash\n", argv[0], count);
	return rc == 0 ? 0 : 1;
}
