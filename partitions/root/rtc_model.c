/*
 * An MC146818 CMOS RTC as a child sees it (Motorola MC146818A data sheet;
 * the PC's ports 0x70/0x71), as Hyper-V Generation 1 and QEMU give one: a
 * child's kernel reads its wall clock here at boot (Linux's
 * mach_get_cmos_time). Without it every port read is all ones, register
 * A's update-in-progress bit never clears and Linux polls the ports for
 * seconds before it gives up.
 *
 * The clock is not ticked: the time is computed at each access from the
 * caller's wall clock (now_unix) and a base. The update cycle therefore
 * happens atomically between two accesses, and register A's UIP bit
 * always reads clear. No interrupts: the child has no RTC IRQ wired
 * (register C reads 0).
 */
#include "partitions/root/devices.h"
#include "core/lib.h"

#define RTC_INDEX_MASK	0x7f	/* port 0x70 bit 7 masks NMIs on a PC: kept, not acted on */
#define REG_A_UIP	0x80	/* update in progress: read-only */
#define REG_A_POWERON	0x26	/* 32.768 kHz time base, 1024 Hz periodic rate */
#define REG_B_POWERON	(RTC_B_24H)
#define REG_D_VRT	0x80	/* valid RAM and time: the battery is good */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;					/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* March-based day of the year */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/* The inverse (civil_from_days). */
static void civil_from_days(int64_t z, struct rtc_time *tm)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	tm->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = yoe + era * 400 + (tm->month <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void rtc_from_unix(int64_t t, struct rtc_time *tm)
{
	int64_t days = floor_div(t, 86400), secs = t - days * 86400, wday = (days + 4) % 7;

	civil_from_days(days, tm);
	tm->hour = (unsigned)(secs / 3600);
	tm->min = (unsigned)(secs / 60 % 60);
	tm->sec = (unsigned)(secs % 60);
	tm->wday = (unsigned)(wday < 0 ? wday + 7 : wday);	/* 1970-01-01 was a Thursday (4) */
}

int64_t rtc_to_unix(const struct rtc_time *tm)
{
	/*
	 * The fields may be anything a guest wrote (month 0, day 45): the sum
	 * then runs on past the month's end, as mktime does; the arithmetic
	 * stays far from overflow (years below 10^5 from 8-bit registers).
	 */
	return days_from_civil(tm->year, tm->month, tm->day) * 86400 +
	       (int64_t)tm->hour * 3600 + (int64_t)tm->min * 60 + tm->sec;
}

static uint8_t to_reg(unsigned v, uint8_t regb)
{
	return (uint8_t)(regb & RTC_B_BINARY ? v : (v / 10) << 4 | v % 10);
}

static unsigned from_reg(uint8_t v, uint8_t regb)
{
	return regb & RTC_B_BINARY ? v : (unsigned)(v >> 4) * 10 + (v & 0xf);
}

/* The hour register: bit 7 is PM in 12-hour mode, hours 12, 1..11 (MC146818A, Table 3). */
static uint8_t hour_to_reg(unsigned h, uint8_t regb)
{
	if (regb & RTC_B_24H)
		return to_reg(h, regb);
	return (uint8_t)(to_reg(h % 12 ? h % 12 : 12, regb) | (h >= 12 ? 0x80 : 0));
}

static unsigned hour_from_reg(uint8_t v, uint8_t regb)
{
	if (regb & RTC_B_24H)
		return from_reg(v, regb);
	return from_reg(v & 0x7f, regb) % 12 + (v & 0x80 ? 12 : 0);
}

void rtc_encode(int64_t t, uint8_t regb, uint8_t cmos[RTC_CMOS_BYTES])
{
	struct rtc_time tm;
	int64_t y;

	rtc_from_unix(t, &tm);
	y = tm.year < 0 ? 0 : tm.year > 9999 ? 9999 : tm.year;	/* what two BCD registers hold */
	cmos[RTC_SECONDS] = to_reg(tm.sec, regb);
	cmos[RTC_MINUTES] = to_reg(tm.min, regb);
	cmos[RTC_HOURS] = hour_to_reg(tm.hour, regb);
	cmos[RTC_WEEKDAY] = to_reg(tm.wday + 1, regb);		/* 1 = Sunday */
	cmos[RTC_DAY] = to_reg(tm.day, regb);
	cmos[RTC_MONTH] = to_reg(tm.month, regb);
	cmos[RTC_YEAR] = to_reg((unsigned)(y % 100), regb);
	cmos[RTC_CENTURY] = to_reg((unsigned)(y / 100), regb);
}

int64_t rtc_decode(const uint8_t cmos[RTC_CMOS_BYTES], uint8_t regb)
{
	struct rtc_time tm = {
		.year = (int64_t)from_reg(cmos[RTC_CENTURY], regb) * 100 + from_reg(cmos[RTC_YEAR], regb),
		.month = from_reg(cmos[RTC_MONTH], regb),
		.day = from_reg(cmos[RTC_DAY], regb),
		.hour = hour_from_reg(cmos[RTC_HOURS], regb),
		.min = from_reg(cmos[RTC_MINUTES], regb),
		.sec = from_reg(cmos[RTC_SECONDS], regb),
	};

	return rtc_to_unix(&tm);
}

static bool field_ok(uint8_t v, uint8_t regb, unsigned lo, unsigned hi)
{
	unsigned n = from_reg(v, regb);

	if (!(regb & RTC_B_BINARY) && ((v & 0xf) > 9 || (v >> 4) > 9))
		return false;
	return n >= lo && n <= hi;
}

bool rtc_regs_valid(const uint8_t cmos[RTC_CMOS_BYTES], uint8_t regb)
{
	uint8_t h = cmos[RTC_HOURS];
	bool hour_ok = regb & RTC_B_24H ? field_ok(h, regb, 0, 23) : field_ok(h & 0x7f, regb, 1, 12);

	return field_ok(cmos[RTC_SECONDS], regb, 0, 59) && field_ok(cmos[RTC_MINUTES], regb, 0, 59) &&
	       hour_ok && field_ok(cmos[RTC_DAY], regb, 1, 31) && field_ok(cmos[RTC_MONTH], regb, 1, 12) &&
	       field_ok(cmos[RTC_YEAR], regb, 0, 99);
}

void rtc_fix_century(uint8_t cmos[RTC_CMOS_BYTES], uint8_t regb)
{
	if (!field_ok(cmos[RTC_CENTURY], regb, 19, 99))
		cmos[RTC_CENTURY] = to_reg(from_reg(cmos[RTC_YEAR], regb) < 70 ? 20 : 19, regb);
}

static bool is_time_reg(uint8_t reg)
{
	return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS || reg == RTC_WEEKDAY ||
	       reg == RTC_DAY || reg == RTC_MONTH || reg == RTC_YEAR || reg == RTC_CENTURY;
}

static bool frozen(const struct rtc_model *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_SET;
}

/* The time the clock shows at wall-clock time now_unix. */
static int64_t rtc_now(const struct rtc_model *r, int64_t now_unix)
{
	return frozen(r) ? r->base_unix : r->base_unix + (now_unix - r->base_wall);
}

/* Copy the running time into the time registers: SET stops the update cycle there. */
static void freeze(struct rtc_model *r, int64_t now_unix)
{
	r->base_unix = rtc_now(r, now_unix);
	rtc_encode(r->base_unix, r->cmos[RTC_REG_B], r->cmos);
}

/* Run on from the time registers as they now read (the day of the week is derived, not kept). */
static void run_from_regs(struct rtc_model *r, int64_t now_unix)
{
	r->base_unix = rtc_decode(r->cmos, r->cmos[RTC_REG_B]);
	r->base_wall = now_unix;
}

void rtc_model_reset(struct rtc_model *r, int64_t now_unix)
{
	memset(r, 0, sizeof(*r));
	r->cmos[RTC_REG_A] = REG_A_POWERON;
	r->cmos[RTC_REG_B] = REG_B_POWERON;
	r->cmos[RTC_REG_D] = REG_D_VRT;
	r->base_unix = now_unix;
	r->base_wall = now_unix;
}

void rtc_model_select(struct rtc_model *r, uint8_t index)
{
	r->index = index;
}

uint8_t rtc_model_read(struct rtc_model *r, int64_t now_unix)
{
	uint8_t reg = r->index & RTC_INDEX_MASK;
	uint8_t time[RTC_CMOS_BYTES];

	switch (reg) {
	case RTC_REG_A:
		return r->cmos[RTC_REG_A] & (uint8_t)~REG_A_UIP;
	case RTC_REG_C:
		return 0;		/* no interrupt flags: nothing is ever raised */
	case RTC_REG_D:
		return REG_D_VRT;
	}
	if (!is_time_reg(reg) || frozen(r))
		return r->cmos[reg];	/* with SET on, the time registers hold what was frozen or written */
	rtc_encode(rtc_now(r, now_unix), r->cmos[RTC_REG_B], time);
	return time[reg];
}

static void write_reg_b(struct rtc_model *r, uint8_t val, int64_t now_unix)
{
	bool was_set = frozen(r), set = val & RTC_B_SET;

	if (set && !was_set)
		freeze(r, now_unix);
	r->cmos[RTC_REG_B] = val;
	if (was_set && !set)
		run_from_regs(r, now_unix);	/* as the registers read in the mode now chosen */
}

void rtc_model_write(struct rtc_model *r, uint8_t val, int64_t now_unix)
{
	uint8_t reg = r->index & RTC_INDEX_MASK;

	switch (reg) {
	case RTC_REG_A:
		r->cmos[RTC_REG_A] = val & (uint8_t)~REG_A_UIP;
		return;
	case RTC_REG_B:
		write_reg_b(r, val, now_unix);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return;			/* read-only */
	}
	if (!is_time_reg(reg)) {
		r->cmos[reg] = val;	/* alarms and the battery-backed RAM */
		return;
	}
	/*
	 * A time register: with SET on it holds the value until SET clears (a
	 * driver writes the fields one by one; February 31st on the way is
	 * harmless). With SET off the clock runs on from the new value at once.
	 */
	if (frozen(r)) {
		r->cmos[reg] = val;
		return;
	}
	freeze(r, now_unix);
	r->cmos[reg] = val;
	run_from_regs(r, now_unix);
}
