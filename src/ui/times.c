/* The ui layer's words for times: how long goroutines have waited (each line of
 * the report), how long the process has run, and moments as RFC 3339 for JSON.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#define NS_PER_S   INT64_C(1000000000)
#define NS_PER_MIN (60 * NS_PER_S)

const char *
ui_wait(int64_t ns, char *buf, size_t size)
{
	if (ns < NS_PER_MIN)
		snprintf(buf, size, "%" PRId64 " s", ns / NS_PER_S);
	else
		snprintf(buf, size, "%" PRId64 " min", ns / NS_PER_MIN);
	return buf;
}

const char *
ui_site_waits(const struct mdl_site *site, char *buf, size_t size)
{
	char newest[32], oldest[32];
	const char *unit;
	size_t n;

	if (site->wait_oldest_ns < 0) {
		snprintf(buf, size, "%s", site->wait_unknown ? "?" : "");
		return buf;
	}
	ui_wait(site->wait_newest_ns, newest, sizeof(newest));
	ui_wait(site->wait_oldest_ns, oldest, sizeof(oldest));
	if (site->wait_unknown) /* the newest began after the last GC: not known */
		snprintf(newest, sizeof(newest), "?");
	else if (strcmp(newest, oldest) == 0) {
		snprintf(buf, size, "%s", oldest);
		return buf;
	}
	/* "3 min" and "12 min" make "3-12 min" */
	unit = strchr(oldest, ' ');
	n = strlen(newest);
	if (n > strlen(unit) && strcmp(newest + n - strlen(unit), unit) == 0)
		newest[n - strlen(unit)] = '\0';
	snprintf(buf, size, "%s-%s", newest, oldest);
	return buf;
}

const char *
ui_uptime(int64_t ns, char *buf, size_t size)
{
	int64_t s = ns / NS_PER_S;

	if (s < 60)
		snprintf(buf, size, "%" PRId64 " s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRId64 " min", s / 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRId64 " h %" PRId64 " min", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%" PRId64 " d %" PRId64 " h", s / 86400, s / 3600 % 24);
	return buf;
}

const char *
ui_rfc3339(int64_t unix_ns, char *buf, size_t size)
{
	time_t secs = (time_t)(unix_ns / NS_PER_S);
	struct tm tm;
	char day[32];

	if (unix_ns <= 0 || !gmtime_r(&secs, &tm) ||
	    !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, size, "?");
		return buf;
	}
	snprintf(buf, size, "%s.%03dZ", day, (int)(unix_ns % NS_PER_S / 1000000));
	return buf;
}
