/*
 * A 16550 UART as a child sees it (PC16550D data sheet, 8.0 "Registers"):
 * the transmitter always empty, a receiver fed by the root
 * (uart_model_receive), and the interrupts of IER and IIR (8.6, Table IV
 * "Interrupt Control Functions"), whose output uart_model_irq() gives as
 * a PC gates it. Each register keeps what is written, so a driver's probe
 * (the scratch register, the divisor, loopback's MSR and data) reads back
 * sensibly.
 */
#include "partitions/root/devices.h"
#include "core/lib.h"

#define LCR_DLAB	0x80
#define MCR_OUT2	0x08	/* on a PC: the UART's interrupt reaches the interrupt controller */
#define MCR_LOOP	0x10
#define FCR_ENABLE	0x01	/* FIFOs on */
#define FCR_CLEAR_RX	0x02	/* empty the receiver FIFO (self-clearing) */
#define LSR_DR		0x01	/* data ready */
#define LSR_OE		0x02	/* overrun error */
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */
#define IER_ERBFI	0x01	/* enable received data available interrupt */
#define IER_ETBEI	0x02	/* enable transmitter holding register empty interrupt */
#define IER_ELSI	0x04	/* enable receiver line status interrupt */
#define IIR_NONE	0x01	/* no interrupt pending */
#define IIR_THRE	0x02	/* transmitter holding register empty */
#define IIR_RX_DATA	0x04	/* received data available */
#define IIR_LINE_STATUS	0x06	/* receiver line status: overrun */
#define IIR_FIFO	0xc0	/* FIFOs enabled */

void uart_model_reset(struct uart_model *u)
{
	memset(u, 0, sizeof(*u));
	u->dll = 0x0c;		/* 9600 baud, a common power-on value */
}

/*
 * 8.5 "FIFO Control Register": with FCR0 clear the UART is a 16450, whose
 * receiver buffer holds one character; with it set, a 16-byte FIFO.
 */
static unsigned rx_room(const struct uart_model *u)
{
	unsigned cap = (u->fcr & FCR_ENABLE) ? UART_RX_FIFO : 1;

	return u->rx_count < cap ? cap - u->rx_count : 0;
}

static void rx_push(struct uart_model *u, uint8_t byte)
{
	u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = byte;
	u->rx_count++;
}

/* RBR: the oldest character, or 0 when there is none (the register keeps nothing else). */
static uint8_t rx_pop(struct uart_model *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % UART_RX_FIFO);
	u->rx_count--;
	return byte;
}

static void rx_clear(struct uart_model *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

bool uart_model_receive(struct uart_model *u, uint8_t byte)
{
	/* 8.8 "Modem Control Register", MCR4: in loopback the serial input is disconnected. */
	if ((u->mcr & MCR_LOOP) || !rx_room(u))
		return false;
	rx_push(u, byte);
	return true;
}

/*
 * A THR write in loopback: the transmitter's output is looped back to the
 * receiver (8.8, MCR4). With the receiver full the character is lost and
 * LSR1 (overrun) set (8.4 "Line Status Register": in FIFO mode the
 * character in the shift register is overwritten, not moved into the FIFO).
 */
static void loop_back(struct uart_model *u, uint8_t byte)
{
	if (rx_room(u))
		rx_push(u, byte);
	else
		u->overrun = true;
}

/*
 * 8.5: FCR0 must be set for the other bits to be written; turning the
 * FIFOs on or off empties them, and FCR1 empties the receiver FIFO.
 */
static void write_fcr(struct uart_model *u, uint8_t val)
{
	if ((val ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	else if ((val & FCR_ENABLE) && (val & FCR_CLEAR_RX))
		rx_clear(u);
	u->fcr = (val & FCR_ENABLE) ? val & 0xc9 : 0;	/* enable, DMA mode, trigger level */
}

/*
 * Enabling the THRE interrupt with THR empty (always, here) makes it
 * pending: "real 16550s should always reassert this interrupt whenever
 * the transmitter is idle and the interrupt is enabled", as Linux's 8250
 * driver tests at start-up (serial8250_do_startup: IER.THRI on, IIR read,
 * off, on again, IIR read; without a second THRE it sets UART_BUG_THRE
 * and polls with a timer).
 */
static void write_ier(struct uart_model *u, uint8_t val)
{
	if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
		u->thre_pending = true;
	u->ier = val & 0x0f;
}

bool uart_model_write(struct uart_model *u, unsigned reg, uint8_t val, uint8_t *tx)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			u->dll = val;
			return false;
		}
		/* the byte leaves THR at once: THR is empty again, its interrupt pending (8.6) */
		u->thre_pending = true;
		if (u->mcr & MCR_LOOP) {
			loop_back(u, val);	/* nothing goes out */
			return false;
		}
		*tx = val;
		return true;
	case 1:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		return false;
	case 2: write_fcr(u, val); return false;
	case 3: u->lcr = val; return false;
	case 4: u->mcr = val & 0x1f; return false;
	case 7: u->scr = val; return false;
	default: return false;	/* LSR and MSR: writes ignored */
	}
}

/* MSR: in loopback the modem inputs follow MCR's outputs; otherwise CTS, DSR and DCD are up. */
static uint8_t msr(const struct uart_model *u)
{
	if (!(u->mcr & MCR_LOOP))
		return 0xb0;
	return (uint8_t)((u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5 | (u->mcr & 0x04) << 4 |
			 (u->mcr & 0x08) << 4);
}

/*
 * 8.6 "Interrupt Identification Register", Table IV: the pending enabled
 * interrupt of highest priority. Receiver line status (0110: an overrun,
 * until LSR is read), received data available (0100: a character waits;
 * we do not tell a trigger level from a character timeout, the FIFO's
 * level is not modelled), THR empty (0010), modem status (0000: never,
 * MSR's delta bits are not modelled: outside loopback the modem inputs
 * do not change), else none (0001).
 */
static uint8_t interrupt_id(const struct uart_model *u)
{
	if ((u->ier & IER_ELSI) && u->overrun)
		return IIR_LINE_STATUS;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return IIR_RX_DATA;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	return IIR_NONE;
}

/* Table IV: the THRE interrupt is reset by reading IIR when it is the source, or by a THR write. */
static uint8_t read_iir(struct uart_model *u)
{
	uint8_t id = interrupt_id(u);

	if (id == IIR_THRE)
		u->thre_pending = false;
	return (uint8_t)(id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0));
}

/*
 * On a PC the INTR pin reaches the interrupt controller through a gate
 * that the OUT2 pin opens; in loopback OUT2 is forced inactive (8.8, MCR4).
 */
bool uart_model_irq(const struct uart_model *u)
{
	return interrupt_id(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
}

/* 8.4: LSR0 while a character waits; LSR1 is reset by the CPU's read of the LSR. */
static uint8_t lsr(struct uart_model *u)
{
	uint8_t v = LSR_THRE | LSR_TEMT;

	if (u->rx_count)
		v |= LSR_DR;
	if (u->overrun)
		v |= LSR_OE;
	u->overrun = false;
	return v;
}

uint8_t uart_model_read(struct uart_model *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case 0: return dlab ? u->dll : rx_pop(u);
	case 1: return dlab ? u->dlm : u->ier;
	case 2: return read_iir(u);
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return lsr(u);
	case 6: return msr(u);
	case 7: return u->scr;
	default: return 0xff;
	}
}
