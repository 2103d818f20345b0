/* Serial logging with levels and the CPU number on each line. */
#include "core/log.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/spinlock.h"
#include "drivers/uart16550.h"

static uint16_t log_port;
static enum log_level log_level = LOG_INFO;
static spinlock_t log_lock = SPINLOCK_INIT;

void log_init(uint16_t serial_port, uint32_t baud, enum log_level level)
{
	log_port = serial_port;
	if (serial_port && !uart_init(serial_port, baud))
		log_port = 0;
	log_level = level;
}

void log_force_unlock(void)
{
	spin_unlock(&log_lock);
}

static void emit(const char *buf, int n)
{
	if (n < 0)
		return;
	spin_lock(&log_lock);
	if (log_port)
		uart_write(log_port, buf, (size_t)n);
	spin_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char tag[] = { 'E', 'W', 'I', 'D' };
	char buf[512];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = fmt_snprintf(buf, sizeof(buf), "(cpu%u) %c: ", this_cpu_id(), tag[level]);
	va_start(ap, fmt);
	n += fmt_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	emit(buf, n);
}

void log_raw(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	emit(buf, n);
}
