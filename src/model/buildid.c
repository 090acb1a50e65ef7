/* The model layer's view of the executable's build-id, for reports that name the
 * binary they describe (the pprof profile's mapping). Reads the image only.
 * SPDX-License-Identifier: MIT */
#include "model/model.h"

#include "image/image.h"

const char *
mdl_build_id(const struct mdl_snapshot *s, char *hex, size_t size)
{
	if (!s->img) {
		if (size)
			hex[0] = '\0';
		return hex;
	}
	return img_build_id(s->img, hex, size);
}
