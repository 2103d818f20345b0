/*
 * Host unit tests for the child's CMOS RTC (partitions/root/rtc_model.c):
 * the date conversions, the register formats of register B, SET, and the
 * registers Linux's mc146818 code polls (A's UIP, D's VRT).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/root/devices.h"

#define T_2026_12_05_0300	1796439600	/* a Saturday */

static struct rtc_model rtc;

static uint8_t rd(uint8_t reg, int64_t now)
{
	rtc_model_select(&rtc, reg);
	return rtc_model_read(&rtc, now);
}

static void wr(uint8_t reg, uint8_t val, int64_t now)
{
	rtc_model_select(&rtc, reg);
	rtc_model_write(&rtc, val, now);
}

static void assert_date(int64_t t, int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
			unsigned s, unsigned wday)
{
	struct rtc_time tm;

	rtc_from_unix(t, &tm);
	assert_int_equal(tm.year, y);
	assert_int_equal(tm.month, mo);
	assert_int_equal(tm.day, d);
	assert_int_equal(tm.hour, h);
	assert_int_equal(tm.min, mi);
	assert_int_equal(tm.sec, s);
	assert_int_equal(tm.wday, wday);
	assert_int_equal(rtc_to_unix(&tm), t);
}

static void test_dates(void **state)
{
	struct rtc_time tm = { .year = 2026, .month = 2, .day = 31 };

	(void)state;
	assert_date(0, 1970, 1, 1, 0, 0, 0, 4);				/* Thursday */
	assert_date(951782400, 2000, 2, 29, 0, 0, 0, 2);		/* a leap day of a /400 year */
	assert_date(T_2026_12_05_0300, 2026, 12, 5, 3, 0, 0, 6);	/* Saturday */
	assert_date(4102444799, 2099, 12, 31, 23, 59, 59, 4);
	assert_date(-1, 1969, 12, 31, 23, 59, 59, 3);			/* before the epoch */
	/* every day of four centuries round-trips and follows the last */
	for (int64_t t = -4102444800, prev = 0; t < 8000000000; t += 86400) {
		rtc_from_unix(t, &tm);
		assert_int_equal(rtc_to_unix(&tm), t);
		assert_true(tm.wday < 7 && tm.day >= 1 && tm.day <= 31 && tm.month >= 1 && tm.month <= 12);
		if (t != -4102444800)
			assert_int_equal(tm.wday, (prev + 1) % 7);
		prev = tm.wday;
	}
	/* a guest's February 31st runs into March */
	tm = (struct rtc_time){ .year = 2026, .month = 2, .day = 31 };
	assert_int_equal(rtc_to_unix(&tm), 1772496000);		/* 2026-03-03 */
}

/* Power-on: the wall clock's time in BCD, 24-hour; A, C, D as Linux expects them. */
static void test_bcd(void **state)
{
	int64_t now = T_2026_12_05_0300 + 4 * 60 + 5;		/* 03:04:05 */

	(void)state;
	rtc_model_reset(&rtc, now);
	assert_int_equal(rd(RTC_SECONDS, now), 0x05);
	assert_int_equal(rd(RTC_MINUTES, now), 0x04);
	assert_int_equal(rd(RTC_HOURS, now), 0x03);
	assert_int_equal(rd(RTC_WEEKDAY, now), 0x07);		/* Saturday: 7, Sunday 1 */
	assert_int_equal(rd(RTC_DAY, now), 0x05);
	assert_int_equal(rd(RTC_MONTH, now), 0x12);
	assert_int_equal(rd(RTC_YEAR, now), 0x26);
	assert_int_equal(rd(RTC_CENTURY, now), 0x20);
	assert_int_equal(rd(RTC_REG_A, now), 0x26);
	assert_int_equal(rd(RTC_REG_B, now), 0x02);
	assert_int_equal(rd(RTC_REG_C, now), 0x00);
	assert_int_equal(rd(RTC_REG_D, now), 0x80);		/* VRT: battery good */
	/* the clock runs with the caller's wall clock: 23:59:59 later is Sunday 03:04:04 */
	now += 86399;
	assert_int_equal(rd(RTC_SECONDS, now), 0x04);
	assert_int_equal(rd(RTC_DAY, now), 0x06);
	assert_int_equal(rd(RTC_WEEKDAY, now), 0x01);
	/* UIP never reads set, even written; C and D are read-only */
	wr(RTC_REG_A, 0xa6, now);
	assert_int_equal(rd(RTC_REG_A, now), 0x26);
	wr(RTC_REG_C, 0xff, now);
	wr(RTC_REG_D, 0x00, now);
	assert_int_equal(rd(RTC_REG_C, now), 0x00);
	assert_int_equal(rd(RTC_REG_D, now), 0x80);
}

static void test_binary_and_12h(void **state)
{
	int64_t t = 4102444799;		/* 2099-12-31 23:59:59 */

	(void)state;
	rtc_model_reset(&rtc, t);
	wr(RTC_REG_B, RTC_B_BINARY | RTC_B_24H, t);
	assert_int_equal(rd(RTC_SECONDS, t), 59);
	assert_int_equal(rd(RTC_HOURS, t), 23);
	assert_int_equal(rd(RTC_MONTH, t), 12);
	assert_int_equal(rd(RTC_YEAR, t), 99);
	assert_int_equal(rd(RTC_CENTURY, t), 20);
	assert_int_equal(rd(RTC_YEAR, t + 1), 0);		/* 2100 */
	assert_int_equal(rd(RTC_CENTURY, t + 1), 21);
	/* 12-hour: bit 7 is PM; midnight and noon are 12 */
	wr(RTC_REG_B, RTC_B_BINARY, t);
	assert_int_equal(rd(RTC_HOURS, t), 0x80 | 11);		/* 11 PM */
	assert_int_equal(rd(RTC_HOURS, t + 1), 12);		/* 12 AM */
	wr(RTC_REG_B, 0, t);					/* BCD, 12-hour */
	assert_int_equal(rd(RTC_HOURS, t), 0x91);		/* 11 PM */
	assert_int_equal(rd(RTC_HOURS, t + 1), 0x12);		/* 12 AM */
	assert_int_equal(rd(RTC_HOURS, t + 1 + 12 * 3600), 0x92);	/* 12 PM */
	assert_int_equal(rd(RTC_HOURS, t + 1 + 13 * 3600), 0x81);	/* 1 PM */
	assert_int_equal(rd(RTC_HOURS, t + 1 + 3600), 0x01);	/* 1 AM */
}

/* Linux's mc146818_set_time: SET, the fields one by one, SET off; the clock runs on from there. */
static void test_set(void **state)
{
	int64_t now = 1000;

	(void)state;
	rtc_model_reset(&rtc, 0);
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H, now);
	assert_int_equal(rd(RTC_SECONDS, now + 30), 0x40);	/* frozen at 00:16:40 */
	wr(RTC_SECONDS, 0x00, now);
	wr(RTC_MINUTES, 0x30, now);
	wr(RTC_HOURS, 0x15, now);
	wr(RTC_DAY, 0x31, now);					/* the 31st while it is January */
	wr(RTC_MONTH, 0x12, now);
	wr(RTC_YEAR, 0x26, now);
	wr(RTC_CENTURY, 0x20, now);
	now += 100;						/* still frozen */
	assert_int_equal(rd(RTC_MINUTES, now), 0x30);
	assert_int_equal(rd(RTC_SECONDS, now), 0x00);
	wr(RTC_REG_B, RTC_B_24H, now);				/* runs: 2026-12-31 15:30:00 */
	assert_int_equal(rd(RTC_SECONDS, now + 7), 0x07);
	assert_int_equal(rd(RTC_MINUTES, now + 7), 0x30);
	assert_int_equal(rd(RTC_HOURS, now + 7), 0x15);
	assert_int_equal(rd(RTC_DAY, now + 7), 0x31);
	assert_int_equal(rd(RTC_WEEKDAY, now + 7), 0x05);	/* a Thursday */
	assert_int_equal(rd(RTC_MONTH, now + 7), 0x12);
	assert_int_equal(rd(RTC_YEAR, now + 7), 0x26);
	/* a time register written with SET off sets the time at once */
	wr(RTC_HOURS, 0x08, now + 7);
	assert_int_equal(rd(RTC_HOURS, now + 10), 0x08);
	assert_int_equal(rd(RTC_SECONDS, now + 10), 0x10);
	assert_int_equal(rd(RTC_DAY, now + 10), 0x31);
}

/* Port 0x70's bit 7 masks NMIs on a PC: kept, and the register is reached as without it. */
static void test_index_and_ram(void **state)
{
	(void)state;
	rtc_model_reset(&rtc, T_2026_12_05_0300);
	rtc_model_select(&rtc, 0x80 | RTC_REG_D);
	assert_int_equal(rtc.index, 0x8d);
	assert_int_equal(rtc_model_read(&rtc, T_2026_12_05_0300), 0x80);
	rtc_model_select(&rtc, 0x80 | RTC_MONTH);
	assert_int_equal(rtc_model_read(&rtc, T_2026_12_05_0300), 0x12);
	/* the RAM: zero at power-on, keeps what is written; alarms are RAM here */
	for (unsigned reg = 0x0e; reg < RTC_CMOS_BYTES; reg++)
		if (reg != RTC_CENTURY)
			assert_int_equal(rd((uint8_t)reg, 0), 0);
	wr(0x0e, 0x5a, 0);
	wr(0x7f, 0xa5, 0);
	wr(0x80 | 0x40, 0x11, 0);
	wr(0x05, 0x23, 0);					/* the hours alarm */
	assert_int_equal(rd(0x0e, 0), 0x5a);
	assert_int_equal(rd(0x7f, 0), 0xa5);
	assert_int_equal(rd(0x40, 0), 0x11);
	assert_int_equal(rd(0x05, 0), 0x23);
	assert_int_equal(rd(RTC_YEAR, T_2026_12_05_0300), 0x26);	/* the clock is untouched */
}

/* What the root's wall clock accepts from the host's RTC. */
static void test_regs_valid(void **state)
{
	uint8_t cmos[RTC_CMOS_BYTES] = { 0 };

	(void)state;
	rtc_encode(T_2026_12_05_0300, RTC_B_24H, cmos);
	assert_true(rtc_regs_valid(cmos, RTC_B_24H));
	assert_int_equal(rtc_decode(cmos, RTC_B_24H), T_2026_12_05_0300);
	rtc_encode(T_2026_12_05_0300 + 13 * 3600, RTC_B_BINARY, cmos);	/* 4 PM, binary 12-hour */
	assert_true(rtc_regs_valid(cmos, RTC_B_BINARY));
	assert_int_equal(rtc_decode(cmos, RTC_B_BINARY), T_2026_12_05_0300 + 13 * 3600);
	memset(cmos, 0xff, sizeof(cmos));			/* no RTC: all ones */
	assert_false(rtc_regs_valid(cmos, 0xff));
	assert_false(rtc_regs_valid(cmos, RTC_B_24H));
	rtc_encode(T_2026_12_05_0300, RTC_B_24H, cmos);
	cmos[RTC_MINUTES] = 0x5a;				/* not BCD */
	assert_false(rtc_regs_valid(cmos, RTC_B_24H));
	rtc_encode(T_2026_12_05_0300, RTC_B_24H, cmos);
	cmos[RTC_MONTH] = 0x13;
	assert_false(rtc_regs_valid(cmos, RTC_B_24H));
	/* no century byte: guessed from the year */
	rtc_encode(T_2026_12_05_0300, RTC_B_24H, cmos);
	cmos[RTC_CENTURY] = 0;
	assert_true(rtc_regs_valid(cmos, RTC_B_24H));
	rtc_fix_century(cmos, RTC_B_24H);
	assert_int_equal(cmos[RTC_CENTURY], 0x20);
	assert_int_equal(rtc_decode(cmos, RTC_B_24H), T_2026_12_05_0300);
	cmos[RTC_CENTURY] = 0xff;
	cmos[RTC_YEAR] = 0x99;
	rtc_fix_century(cmos, RTC_B_24H);
	assert_int_equal(cmos[RTC_CENTURY], 0x19);
	cmos[RTC_CENTURY] = 0x21;				/* a real one is kept */
	rtc_fix_century(cmos, RTC_B_24H);
	assert_int_equal(cmos[RTC_CENTURY], 0x21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_bcd),
		cmocka_unit_test(test_binary_and_12h),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_index_and_ram),
		cmocka_unit_test(test_regs_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
