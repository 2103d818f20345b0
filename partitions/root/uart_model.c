/*
 * A 16550 UART as a child sees it (PC16550D data sheet, "Register
 * Description"): the transmitter always empty, nothing ever received, no
 * interrupts raised. Each register keeps what is written, so a driver's
 * probe (the scratch register, the divisor, loopback's MSR) reads back
 * sensibly.
 */
#include "partitions/root/devices.h"
#include "core/lib.h"

#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */
#define IIR_NONE	0x01	/* no interrupt pending */
#define IIR_FIFO	0xc0	/* FIFOs enabled */

void uart_model_reset(struct uart_model *u)
{
	memset(u, 0, sizeof(*u));
	u->dll = 0x0c;		/* 9600 baud, a common power-on value */
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
		*tx = val;
		return !(u->mcr & MCR_LOOP);	/* loopback: nothing goes out */
	case 1:
		if (dlab)
			u->dlm = val;
		else
			u->ier = val & 0x0f;
		return false;
	case 2:
		u->fcr = val & 0xc9;	/* enable, DMA mode, trigger level; reset bits self-clear */
		return false;
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

uint8_t uart_model_read(const struct uart_model *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case 0: return dlab ? u->dll : 0;	/* nothing received */
	case 1: return dlab ? u->dlm : u->ier;
	case 2: return (uint8_t)(IIR_NONE | ((u->fcr & 1) ? IIR_FIFO : 0));
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return LSR_THRE | LSR_TEMT;
	case 6: return msr(u);
	case 7: return u->scr;
	default: return 0xff;
	}
}
