/*
 * The root's wall clock: the host's own CMOS RTC read once at start (the
 * hypervisor passes the root's ports through, partitions/platform.c; QEMU's
 * and Bochs's RTC give the host's time), then the TSC from there. Children's
 * RTCs (rtc_model.c) run from it.
 */
#include "partitions/root/root.h"
#include "partitions/root/devices.h"
#include "arch/x86/cpu.h"

#define RTC_PORT_INDEX	0x70
#define RTC_PORT_DATA	0x71
#define UIP_WAIT_MS	10	/* UIP stays set at most 2 ms (MC146818A, "Update Cycle") */
#define READ_TRIES	5

static int64_t base_unix;	/* Unix seconds when the TSC read base_tsc */
static uint64_t base_tsc;

/* Bit 7 of the index clear: NMIs stay enabled, as Linux's CMOS_READ leaves them. */
static uint8_t cmos_read(uint8_t reg)
{
	outb(RTC_PORT_INDEX, reg);
	return inb(RTC_PORT_DATA);
}

/* The time registers, once no update is in progress; false if UIP never clears. */
static bool read_regs(uint8_t cmos[RTC_CMOS_BYTES])
{
	static const uint8_t regs[] = { RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY,
					RTC_MONTH, RTC_YEAR, RTC_CENTURY };
	uint64_t t0 = rdtsc();

	while (cmos_read(RTC_REG_A) & 0x80)
		if (root_us_since(t0) > UIP_WAIT_MS * 1000)
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		cmos[regs[i]] = cmos_read(regs[i]);
	return true;
}

/*
 * Read twice until both agree: an update between the UIP check and the
 * last register (a second's rollover) would mix two times.
 */
static bool read_host_rtc(int64_t *t, uint8_t *regb)
{
	uint8_t a[RTC_CMOS_BYTES] = { 0 }, b[RTC_CMOS_BYTES] = { 0 };

	*regb = cmos_read(RTC_REG_B);
	for (unsigned i = 0; i < READ_TRIES; i++) {
		if (!read_regs(a) || !read_regs(b))
			return false;
		if (memcmp(a, b, sizeof(a)))
			continue;
		if (!rtc_regs_valid(a, *regb))
			return false;
		rtc_fix_century(a, *regb);
		*t = rtc_decode(a, *regb);
		return true;
	}
	return false;
}

void wallclock_init(void)
{
	struct rtc_time tm;
	uint8_t regb = 0;
	bool ok = read_host_rtc(&base_unix, &regb);

	base_tsc = rdtsc();
	if (!ok)
		base_unix = 0;
	rtc_from_unix(base_unix, &tm);
	say("root: wall clock %04ld-%02u-%02u %02u:%02u:%02u UTC (%s)", (long)tm.year, tm.month,
	    tm.day, tm.hour, tm.min, tm.sec,
	    ok ? "from the RTC" : "the RTC reads no valid time: from 1970");
}

int64_t root_unix_time(void)
{
	return base_unix + (int64_t)((rdtsc() - base_tsc) / (root_tsc_khz() * 1000));
}
