/*
 * COM1, the root's console. The root owns the port (every I/O port is the
 * root's, docs/root.md): its own lines and the hypervisor's log, which it
 * drains with HVCALL_X_LOG_READ, go out here. The first read hands the port
 * over: from then on the hypervisor writes to it only on panic.
 */
#include "partitions/root/root.h"
#include "core/abi/hypercall.h"
#include "drivers/uart16550.h"

#define COM1	0x3f8

static char log_buf[4096];

static void put_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_putc(COM1, s[i]);
}

void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(line) - 3);
	line[n++] = '\r';
	line[n++] = '\n';
	put_bytes(line, (size_t)n);
}

void console_relay_log(void)
{
	uint64_t gpa = root_image_gpa(log_buf), got;

	for (;;) {
		uint16_t st = hv_fast(HVCALL_X_LOG_READ, gpa, sizeof(log_buf), &got);

		if (st != HV_STATUS_SUCCESS) {
			say("root: log read refused, status %u", st);
			return;
		}
		put_bytes(log_buf, (size_t)MIN(got, sizeof(log_buf)));
		if (got < sizeof(log_buf))
			return;
	}
}
