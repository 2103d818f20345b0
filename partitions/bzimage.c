/*
 * A bzImage's setup header, checked for the 64-bit boot protocol
 * (partitions/bzimage.h). Linux's Documentation/x86/boot.rst: "The
 * Real-Mode Kernel Header" for the fields and the protocol versions that
 * brought them, "64-bit Boot Protocol" for what the 64-bit entry needs;
 * hyperv-linux-guest.md 8.4 for the steps.
 */
#include "partitions/bzimage.h"
#include "core/lib.h"

/* The one place a reason with numbers is written (the root loads one child at a time). */
static char why_buf[160];	/* loader_failf: the loaders' one reason with numbers */

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static bool fail(const char **why, const char *msg)
{
	*why = msg;
	return false;
}

bool loader_failf(const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	*why = why_buf;
	return false;
}

bool bzimage_is(const uint8_t *img, size_t len)
{
	return len >= LINUX_HDR_AT(header) + 4 && rd16(img + LINUX_HDR_AT(boot_flag)) == LINUX_BOOT_FLAG &&
	       rd32(img + LINUX_HDR_AT(header)) == LINUX_HDRS_MAGIC;
}

/* The header's own fields: version, length, entry, load flags, alignment. */
static bool check_header(const uint8_t *img, size_t len, struct bzimage_info *o, const char **why)
{
	size_t end;
	uint16_t version;

	if (len < LINUX_HDR_AT(version) + 2)
		return fail(why, "bzImage too short for its setup header");
	version = rd16(img + LINUX_HDR_AT(version));
	if (version < LINUX_PROTO_MIN)
		return loader_failf(why, "bzImage boot protocol %u.%02u is older than 2.12 "
			     "(no 64-bit entry)", version >> 8, version & 0xff);
	end = 0x202u + img[LINUX_SETUP_JUMP_OFF];	/* boot.rst: 0x0202 + byte at 0x0201 */
	if (end < LINUX_SETUP_HDR_NEED)
		return loader_failf(why, "bzImage setup header ends at 0x%lx, before init_size (0x%lx)",
			     (unsigned long)end, (unsigned long)LINUX_SETUP_HDR_NEED);
	if (end - LINUX_SETUP_HDR_OFF > LINUX_SETUP_HDR_MAX)
		return loader_failf(why, "bzImage setup header ends at 0x%lx, in boot_params' e820 "
			     "table (0x%x)", (unsigned long)end, LINUX_SETUP_HDR_OFF + LINUX_SETUP_HDR_MAX);
	if (end > len)
		return loader_failf(why, "bzImage too short: its setup header ends at 0x%lx, the file "
			     "at 0x%lx", (unsigned long)end, (unsigned long)len);
	o->hdr_len = end - LINUX_SETUP_HDR_OFF;
	memcpy(&o->hdr, img + LINUX_SETUP_HDR_OFF, MIN(o->hdr_len, sizeof(o->hdr)));
	if (!(o->hdr.xloadflags & LINUX_XLF_KERNEL_64))
		return loader_failf(why, "bzImage xloadflags 0x%x: no 64-bit entry point "
			     "(XLF_KERNEL_64 clear)", o->hdr.xloadflags);
	if (!(o->hdr.loadflags & LINUX_LOADED_HIGH))
		return loader_failf(why, "bzImage loadflags 0x%x: LOADED_HIGH clear (a zImage)",
			     o->hdr.loadflags);
	o->alignment = o->hdr.kernel_alignment;
	if (!o->alignment || (o->alignment & (o->alignment - 1)))
		return loader_failf(why, "bzImage kernel_alignment 0x%lx is not a power of two",
			     (unsigned long)o->alignment);
	if (o->alignment > GIB(1))
		return loader_failf(why, "bzImage kernel_alignment 0x%lx is above 1 GiB",
			     (unsigned long)o->alignment);
	return true;
}

bool bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out, const char **why)
{
	unsigned sects;

	memset(out, 0, sizeof(*out));
	if (!bzimage_is(img, len))
		return fail(why, "not a bzImage: no setup header (boot_flag 0xAA55, \"HdrS\")");
	if (!check_header(img, len, out, why))
		return false;
	sects = out->hdr.setup_sects ? out->hdr.setup_sects : LINUX_SETUP_SECTS_DEF;
	out->kernel_off = (sects + 1u) * LINUX_SECTOR;
	if (out->kernel_off >= len)
		return loader_failf(why, "bzImage setup_sects %u puts the kernel past the file's end "
			     "(%lu bytes)", out->hdr.setup_sects, (unsigned long)len);
	out->kernel_len = len - out->kernel_off;
	out->init_size = out->hdr.init_size;
	out->pref_address = out->hdr.pref_address;
	out->relocatable = out->hdr.relocatable_kernel != 0;
	if (!out->init_size)
		return fail(why, "bzImage init_size is 0");
	if (out->init_size < out->kernel_len)
		return loader_failf(why, "bzImage init_size 0x%lx is smaller than its kernel (0x%lx bytes)",
			     (unsigned long)out->init_size, (unsigned long)out->kernel_len);
	return true;
}
