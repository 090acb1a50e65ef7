/* What the fuzz harnesses of the registry, the value printer and the expression
 * parser share: a dump replayed from a memory image (tests/lib/faultmem.h: the
 * fuzz input, or a recording of a real fixture) over the real image of the
 * fixture it was recorded from (INSPECT_FUZZ_GOBIN, default
 * build/fixtures/go1.26/vars). The Go plugin's phases run as a capture runs them
 * (src/model/capture.c), with every read served by the image.
 * SPDX-License-Identifier: MIT */
#ifndef TESTS_FUZZ_REPLAY_H
#define TESTS_FUZZ_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "model/model-int.h"

struct replay {
	struct mdl_snapshot s;
	struct mdl_host_ctx hc;
	struct insp_host h;
	struct tgt_proc proc; /* never a process: faultmem serves its reads */
	int ret;              /* of the capture: 0, or -1 with err */
	struct insp_err err;
};

/* Open the fixture's image once (abort() if it cannot: the harness is useless). */
void replay_init(void);
/* Load data as the memory image and capture and decode from it; r->ret says how it
 * went. Release r with replay_release whatever it says. */
void replay_dump(struct replay *r, const uint8_t *data, size_t size);
/* The frame of function func in some task's stack: 0 and *sc, or -1. */
int replay_scope(const struct replay *r, const char *func, struct insp_scope *sc);
void replay_release(struct replay *r);
/* /dev/null, for reports. */
FILE *replay_null(void);

#endif
