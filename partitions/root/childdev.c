/*
 * A child's ports as the root emulates them (partitions/root/devices.h),
 * its COM1 input (a queue in front of the UART's receive FIFO), and the
 * completion of an I/O-port intercept (hyperv-root-abi.md 6.4: the
 * hypervisor does not advance RIP; the root sets RIP and, for IN, RAX).
 */
#include "partitions/root/devices.h"
#include "core/lib.h"

void childdev_reset(struct childdev *d)
{
	memset(d, 0, sizeof(*d));
	uart_model_reset(&d->com1);
	rtc_model_reset(&d->rtc, root_unix_time());
}

/* Move queued input into the UART's FIFO while it has room. */
static void input_refill(struct childdev *d)
{
	while (d->in_count && uart_model_receive(&d->com1, d->input[d->in_head])) {
		d->in_head = (uint16_t)((d->in_head + 1) % CHILDDEV_INPUT_MAX);
		d->in_count--;
	}
}

bool childdev_input(struct childdev *d, uint8_t byte)
{
	if (d->in_count == CHILDDEV_INPUT_MAX)
		return false;
	d->input[(d->in_head + d->in_count) % CHILDDEV_INPUT_MAX] = byte;
	d->in_count++;
	input_refill(d);
	return true;
}

static void emit(const char *text, childdev_line_fn line, void *ctx)
{
	if (text)
		line(ctx, text);
}

/* Counted per port for the first few ports: what a child probes most, for its end's summary. */
static void count_absent(struct childdev *d, uint16_t port)
{
	for (size_t i = 0; i < sizeof(d->absent) / sizeof(d->absent[0]); i++)
		if (d->absent[i].port == port || !d->absent[i].count) {
			d->absent[i].port = port;
			d->absent[i].count++;
			return;
		}
}

/*
 * The CMOS RTC's ports, on every child: Linux reads its wall clock there
 * at boot whatever the FADT says, and without a clock polls for seconds.
 */
static uint32_t rtc_io(struct rtc_model *r, uint16_t port, bool write, uint8_t val)
{
	if (port == CHILDDEV_RTC_INDEX) {
		if (write)
			rtc_model_select(r, val);
		return write ? 0 : r->index;
	}
	if (write) {
		rtc_model_write(r, val, root_unix_time());
		return 0;
	}
	return rtc_model_read(r, root_unix_time());
}

uint32_t childdev_io(struct childdev *d, uint16_t port, unsigned size, bool write, uint32_t val,
		     childdev_line_fn line, void *ctx)
{
	uint8_t tx;

	d->io_accesses++;
	if (port == CHILDDEV_DEBUG_PORT) {
		if (write)
			emit(lineasm_put(&d->debug, (uint8_t)val), line, ctx);
		return write ? 0 : 0xe9;	/* Bochs's port-e9 convention */
	}
	if (port >= CHILDDEV_COM1 && port < CHILDDEV_COM1 + UART_PORTS && size == 1) {
		uint32_t v = 0;

		/*
		 * Refill after every access, not only RBR reads: a FIFO emptied by
		 * FCR, or one that left loopback, takes the queued bytes at once.
		 */
		if (!write)
			v = uart_model_read(&d->com1, port - CHILDDEV_COM1);
		else if (uart_model_write(&d->com1, port - CHILDDEV_COM1, (uint8_t)val, &tx))
			emit(lineasm_put(&d->com1_line, tx), line, ctx);
		input_refill(d);
		return v;
	}
	if ((port == CHILDDEV_RTC_INDEX || port == CHILDDEV_RTC_DATA) && size == 1)
		return rtc_io(&d->rtc, port, write, (uint8_t)val);
	d->io_no_device++;
	count_absent(d, port);
	return write ? 0 : 0xffffffffu;		/* nothing there: the bus floats high */
}

bool childdev_busiest_absent(const struct childdev *d, uint16_t *port, uint64_t *count)
{
	*count = 0;
	for (size_t i = 0; i < sizeof(d->absent) / sizeof(d->absent[0]); i++)
		if (d->absent[i].count > *count) {
			*count = d->absent[i].count;
			*port = d->absent[i].port;
		}
	return *count != 0;
}

void childdev_flush(struct childdev *d, childdev_line_fn line, void *ctx)
{
	emit(lineasm_flush(&d->debug), line, ctx);
	emit(lineasm_flush(&d->com1_line), line, ctx);
}

unsigned childdev_io_intercept(struct childdev *d, const struct hv_x64_io_port_intercept_message *m,
			       struct hv_register_assoc regs[2], childdev_line_fn line, void *ctx)
{
	unsigned size = m->access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK;
	unsigned len = m->header.instruction_length_cr8 & HV_INTERCEPT_INSN_LEN_MASK;
	bool write = m->header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE;
	uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
	uint32_t v;

	if ((size != 1 && size != 2 && size != 4) || !len ||
	    (m->access_info & HV_X64_IO_PORT_ACCESS_STRING_OP))
		return 0;
	v = childdev_io(d, m->port_number, size, write, (uint32_t)(m->rax & mask), line, ctx);
	return childdev_io_complete(m, v, regs);
}

unsigned childdev_io_complete(const struct hv_x64_io_port_intercept_message *m, uint32_t v,
			      struct hv_register_assoc regs[2])
{
	unsigned size = m->access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK;
	unsigned len = m->header.instruction_length_cr8 & HV_INTERCEPT_INSN_LEN_MASK;
	uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;

	memset(regs, 0, 2 * sizeof(*regs));
	regs[0].name = HV_X64_REGISTER_RIP;
	regs[0].value.reg64 = m->header.rip + len;
	if (m->header.intercept_access_type == HV_INTERCEPT_ACCESS_WRITE)
		return 1;
	regs[1].name = HV_X64_REGISTER_RAX;
	/*
	 * IN AL/AX keeps the other bytes; IN EAX, a 32-bit destination, zeroes
	 * RAX[63:32] (SDM Vol. 1, 3.4.1.1: 32-bit operands are zero-extended).
	 */
	regs[1].value.reg64 = size == 4 ? v : (m->rax & ~mask) | (v & mask);
	return 2;
}
