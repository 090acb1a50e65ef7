/* What the model layer's files share: the context behind the plugin's struct
 * insp_host, during a capture and after it while the process is kept stopped.
 * SPDX-License-Identifier: MIT */
#ifndef MODEL_MODEL_INT_H
#define MODEL_MODEL_INT_H

#include "model/model.h"

struct mdl_host_ctx {
	struct mdl_snapshot *s;
	struct img *img;
	struct tgt_proc *proc; /* NULL once detached: reads fail */
};

/* host.c: every callback of h, with ctx c. */
void mdl_host_init(struct insp_host *h, struct mdl_host_ctx *c);
/* A note under the report (a copy in the snapshot); dropped if memory runs out. */
void mdl_note(struct mdl_snapshot *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
