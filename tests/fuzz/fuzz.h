/* fuzz.h: what the harnesses share.  FUZZ_CHECK aborts (a finding for
 * libFuzzer, a failed test for the regression runner) when a property
 * the code promises does not hold. */
#ifndef TD_FUZZ_H
#define TD_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond) do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: property failed: %s\n", \
			        __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif
