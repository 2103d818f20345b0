/* Bytes into lines, as the hypervisor's debug port assembles them (partitions/platform.c). */
#include "partitions/root/devices.h"
#include "core/lib.h"

static const char *finish(struct lineasm *a)
{
	a->buf[a->len] = '\0';
	a->len = 0;
	return a->buf;
}

const char *lineasm_put(struct lineasm *a, uint8_t c)
{
	if (c == '\n')
		return finish(a);
	if (c == '\r')
		return NULL;
	a->buf[a->len++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	return a->len == LINEASM_MAX ? finish(a) : NULL;
}

const char *lineasm_flush(struct lineasm *a)
{
	return a->len ? finish(a) : NULL;
}
