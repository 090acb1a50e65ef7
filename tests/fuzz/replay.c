/* A dump replayed from a memory image: see replay.h.
 * SPDX-License-Identifier: MIT */
#include "replay.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/faultmem.h"
#include "image/image.h"

const struct insp_plugin *insp_plugin_entry(void); /* plugins/go, linked in */

#define STOP_NS    1000000000000ll
#define STACK_COPY (64 * 1024) /* as capture.c copies a thread's stack */

static struct img *img;
static const char *exe;
static FILE *null;

void
replay_init(void)
{
	struct insp_err err = INSP_ERR_INIT;

	if (img)
		return;
	exe = getenv("INSPECT_FUZZ_GOBIN");
	if (!exe) {
		/* the build's fixture, wherever this runs from: BUILD/fuzz/NAME */
		static char path[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		char *slash;

		path[n > 0 ? n : 0] = '\0';
		for (int up = 0; up < 2 && (slash = strrchr(path, '/')); up++)
			*slash = '\0';
		if (strlen(path) + sizeof("/fixtures/go1.26/vars") > sizeof(path))
			path[0] = '\0';
		strcat(path, "/fixtures/go1.26/vars");
		exe = path;
	}
	if (img_open(&img, exe, exe, "", &err) < 0) {
		/* no input's fault: not a crash for libFuzzer to keep */
		fprintf(stderr, "replay: %s (set INSPECT_FUZZ_GOBIN)\n", err.msg);
		exit(2);
	}
	null = fopen("/dev/null", "w");
	if (!null)
		abort();
}

FILE *
replay_null(void)
{
	return null;
}

/* The threads of the image, each with its stack from sp as far as the image has it. */
static int
threads(struct replay *r)
{
	struct mdl_snapshot *s = &r->s;

	s->threads = arena_alloc(&s->arena, (fm.nthreads + 1) * sizeof(*s->threads));
	if (!s->threads)
		return insp_err_set(&r->err, INSP_E_SYS, "out of memory");
	fm_seal();
	for (size_t i = 0; i < fm.nthreads; i++) {
		struct insp_thread *t = &s->threads[s->nthreads++];

		*t = fm.threads[i];
		for (size_t k = 0; k < fm.nregions; k++) {
			const struct fm_region *g = &fm.regions[k];

			if (t->sp >= g->addr && t->sp - g->addr < g->len) {
				t->stack_addr = t->sp;
				t->stack = g->bytes + (t->sp - g->addr);
				t->stack_len = g->len - (t->sp - g->addr);
				if (t->stack_len > STACK_COPY)
					t->stack_len = STACK_COPY;
			}
		}
	}
	r->h.threads = s->threads;
	r->h.nthreads = s->nthreads;
	return 0;
}

void
replay_dump(struct replay *r, const uint8_t *data, size_t size)
{
	struct mdl_snapshot *s = &r->s;
	void *state = NULL;

	replay_init();
	memset(r, 0, sizeof(*r));
	r->s = (struct mdl_snapshot)MDL_SNAPSHOT_INIT;
	r->err = (struct insp_err)INSP_ERR_INIT;
	s->arena.cap = (size_t)256 << 20; /* a fuzzer's budget, not capture.c's 2 GiB */
	s->exe = exe;
	s->img = img;
	s->max_frames = 8;
	s->stop_ns = STOP_NS;
	fm_reset();
	fm_load(data, size);
	r->hc = (struct mdl_host_ctx){ .s = s, .img = img, .proc = &r->proc };
	mdl_host_init(&r->h, &r->hc);
	r->h.max_frames = s->max_frames;
	r->h.stop_ns = s->stop_ns;
	r->ret = -1;
	s->plugin = insp_plugin_entry();
	if (s->plugin->probe(&r->h, &r->err) != 1 || s->plugin->prepare(&r->h, &state, &r->err) < 0)
		goto out;
	if (threads(r) < 0 || s->plugin->capture(state, &r->h, &r->err) < 0 ||
	    s->plugin->decode(state, &r->h, &r->err) < 0)
		goto out;
	s->plugin_state = state;
	state = NULL;
	if (mdl_threads_unwind(s, s->max_frames, &r->err) < 0)
		goto out;
	r->ret = 0;
	s->proc = &r->proc; /* print reads "while stopped" */
out:
	if (state)
		s->plugin->release(state);
}

int
replay_scope(const struct replay *r, const char *func, struct insp_scope *sc)
{
	for (size_t i = 0; i < r->s.ntasks; i++) {
		const struct insp_task *t = r->s.tasks[i];

		for (uint32_t k = 0; k < t->nframes; k++) {
			if (t->frames[k].loc.func && strcmp(t->frames[k].loc.func, func) == 0) {
				mdl_scope_of(t->frames, k, sc);
				return 0;
			}
		}
	}
	return -1;
}

void
replay_release(struct replay *r)
{
	r->s.proc = NULL; /* nothing to detach */
	r->s.img = NULL;  /* the harness's, for every input */
	mdl_snapshot_release(&r->s);
	fm_reset();
}
