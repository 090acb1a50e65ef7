/* The image layer's network side: ask the debuginfod servers DEBUGINFOD_URLS names
 * for the debug file of a build-id, through libdebuginfod (its cache, its retries).
 * Only when DEBUGINFOD_URLS is set: without it, no network at all. It runs from
 * img_open, before the target is stopped, so a slow server never lengthens a pause.
 * Never with privileges the user lacks (img_debuginfod_secure).
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <elfutils/debuginfod.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

/* Our defaults for this call, set only where the user has set nothing. libdebuginfod
 * 0.188 waits 90 s for a server to start sending, and tries a query that failed
 * otherwise than ENOENT twice more: a server that accepted and never answered held
 * `inspect dump` 30 s with a timeout of 10 (measured), hence no retries either. */
static const struct {
	const char *name, *value;
} defaults[] = {
	{ "DEBUGINFOD_TIMEOUT", "10" },
	{ "DEBUGINFOD_RETRY_LIMIT", "0" },
};

#define NDEFAULTS (sizeof(defaults) / sizeof(defaults[0]))

/* rc: a find call's negative errno (debuginfod_find_debuginfo(3) lists them). */
static void
why_failed(int rc, const char *urls, char *why, size_t size)
{
	const char *timeout = secure_getenv("DEBUGINFOD_TIMEOUT");

	if (rc == -ENOENT)
		snprintf(why, size, "debuginfod at %s had none", urls);
	else if (rc == -ETIME)
		snprintf(why, size, "debuginfod at %s timed out (DEBUGINFOD_TIMEOUT=%s)", urls,
			 timeout ? timeout : "?");
	else
		snprintf(why, size, "debuginfod at %s failed: %s", urls, strerror(-rc));
}

/* DEBUGINFOD_URLS was set, and img_debuginfod_secure removed it */
static bool refused;

void
img_debuginfod_secure(void)
{
	extern char **environ;
	const char *urls = getenv("DEBUGINFOD_URLS");
	char name[64];

	if (!getauxval(AT_SECURE))
		return;
	refused = urls && *urls;
	/* unsetenv moves the entries after the one removed: look from the start */
	for (size_t i = 0; environ && environ[i];) {
		size_t len = strcspn(environ[i], "=");

		if (strncmp(environ[i], "DEBUGINFOD_", 11) == 0 && len < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)len, environ[i]);
			unsetenv(name);
			i = 0;
		} else {
			i++;
		}
	}
}

int
img_debuginfod_find(const uint8_t *id, size_t idlen, char **path, char *why, size_t size)
{
	const char *urls = secure_getenv("DEBUGINFOD_URLS");
	bool ours[NDEFAULTS];
	debuginfod_client *c;
	int fd;

	*path = NULL;
	why[0] = '\0';
	if (refused) {
		snprintf(why, size,
			 "debuginfod not asked: inspect runs with privileges the user lacks");
		return -1;
	}
	if (!urls || !*urls)
		return -1;
	if (!idlen) {
		snprintf(why, size, "it has no build-id to ask debuginfod at %s for", urls);
		return -1;
	}
	for (size_t i = 0; i < NDEFAULTS; i++)
		ours[i] = !secure_getenv(defaults[i].name) &&
			  setenv(defaults[i].name, defaults[i].value, 0) == 0;
	urls = secure_getenv("DEBUGINFOD_URLS"); /* setenv may have moved it */
	c = debuginfod_begin();
	if (!c) {
		fd = -(errno ? errno : ENOMEM);
	} else {
		fd = debuginfod_find_debuginfo(c, id, (int)idlen, path);
		debuginfod_end(c);
	}
	if (fd < 0)
		why_failed(fd, urls, why, size); /* while our timeout is still set */
	for (size_t i = 0; i < NDEFAULTS; i++)
		if (ours[i])
			unsetenv(defaults[i].name);
	return fd < 0 ? -1 : fd;
}
