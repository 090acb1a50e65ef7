/* What the model layer's files share: the context behind the plugin's struct
 * insp_host, during a capture and after it while the process is kept stopped.
 * SPDX-License-Identifier: MIT */
#ifndef MODEL_MODEL_INT_H
#define MODEL_MODEL_INT_H

#include "model/model.h"

#include "target/target.h"

struct mdl_host_ctx {
	struct mdl_snapshot *s;
	struct img *img;       /* the executable's, or the library's the runtime is in */
	struct tgt_proc *proc; /* NULL once detached: reads fail */
	const struct tgt_maps *maps; /* the memory map before prepare, or NULL */
	/* libs.c, during the probe: the files mapped, those that are libraries */
	struct tgt_files files;
	const char **libs;
	size_t *lib_file; /* index in files of each of libs */
	size_t nlibs;
	size_t use_lib; /* 1 + the library a plugin named (use_lib), or 0 */
};

/* host.c: every callback of h, with ctx c. */
void mdl_host_init(struct insp_host *h, struct mdl_host_ctx *c);
/* A note under the report (a copy in the snapshot); dropped if memory runs out. */
void mdl_note(struct mdl_snapshot *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* libs.c: list the libraries c->proc maps (before the probe). */
int mdl_libs_read(struct mdl_host_ctx *c, struct insp_err *err);
/* Offer them to the plugins through h (after mdl_host_init). */
void mdl_libs_offer(struct insp_host *h, struct mdl_host_ctx *c);
/* A plugin named library c->use_lib - 1: make it c->img (the old one is closed)
 * and set c->s->runtime_lib. */
int mdl_libs_switch(struct mdl_host_ctx *c, struct insp_err *err);
void mdl_libs_release(struct mdl_host_ctx *c);
/* stop-delay.c: called with the process stopped, before the copy; 0, or -1 when
 * a signal came. The shipped build does nothing; the test build
 * (tests/hooks/stop-delay.c, in BUILD/inspect-test) waits INSPECT_TEST_STOP_DELAY_MS,
 * so that tests can signal or kill inspect, or the target, while it is stopped. */
int mdl_stop_delay(struct insp_err *err);

#endif
